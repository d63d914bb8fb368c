namespace ClusterRouting.Http.Tests.PublicApi;

/// <summary>
/// The standard constructors of the package's public exceptions (for callers that wrap or rethrow them): each keeps the
/// message and inner exception it is given, and leaves the request's details empty rather than null.
/// </summary>
public class ExceptionConstructorsTests
{
    [Fact]
    public void MemberAddressMissingException_StandardConstructors()
    {
        var inner = new InvalidOperationException();

        var none = new MemberAddressMissingException();
        var message = new MemberAddressMissingException("m");
        var wrapped = new MemberAddressMissingException("m", inner);

        Assert.StartsWith("The selected member has no address: set ClusterMemberOptions.Address", none.Message, StringComparison.Ordinal);
        Assert.Equal("m", message.Message);
        Assert.Equal("m", wrapped.Message);
        Assert.Same(inner, wrapped.InnerException);
        Assert.All([none, message, wrapped], e => Assert.Equal((string.Empty, string.Empty), (e.ClusterName, e.MemberId)));
    }

    [Fact]
    public void RequestNotReplayableException_StandardConstructors()
    {
        var inner = new InvalidOperationException();

        var none = new RequestNotReplayableException();
        var message = new RequestNotReplayableException("m");
        var wrapped = new RequestNotReplayableException("m", inner);

        Assert.Equal("The request failed on a member and could not be sent to another one.", none.Message);
        Assert.Equal("m", message.Message);
        Assert.Equal("m", wrapped.Message);
        Assert.Same(inner, wrapped.InnerException);
        Assert.All([none, message, wrapped], e =>
        {
            Assert.Equal((string.Empty, string.Empty), (e.ClusterName, e.Reason));
            Assert.Empty(e.Attempts);
        });
    }
}
