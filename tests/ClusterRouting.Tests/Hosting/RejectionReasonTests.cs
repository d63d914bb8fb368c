namespace ClusterRouting.Tests.Hosting;

/// <summary>What a rejected reload logs as its reason when merging it with runtime changes threw.</summary>
public class RejectionReasonTests
{
    [Fact]
    public void ReasonOf_ArgumentWithAParameterName_DropsTheParameterSuffix()
    {
        var error = new ArgumentException("Cluster 'refresh': two members are named gw-0.", "options");

        Assert.Equal("Cluster 'refresh': two members are named gw-0.", ClusterRegistry.ReasonOf(error));
    }

    [Fact]
    public void ReasonOf_ArgumentWithoutAParameterName_IsTheMessage()
    {
        var error = new ArgumentException("Cluster 'refresh': two members are named gw-0.");

        Assert.Equal("Cluster 'refresh': two members are named gw-0.", ClusterRegistry.ReasonOf(error));
    }

    [Fact]
    public void ReasonOf_MessageThatDoesNotEndWithTheSuffix_IsKeptWhole()
    {
        // An out-of-range error appends the actual value after the parameter: nothing is cut from it.
        var error = new ArgumentOutOfRangeException("options", 5, "Too many.");

        Assert.Equal(error.Message, ClusterRegistry.ReasonOf(error));
        Assert.Contains("5", ClusterRegistry.ReasonOf(error), StringComparison.Ordinal);
    }
}
