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

    [Fact]
    public void MemberAddressMissingException_ForAMember_NamesItAndItsCluster_AndRefusesNulls()
    {
        var error = new MemberAddressMissingException("refresh", "gw-1");

        Assert.Equal(("refresh", "gw-1"), (error.ClusterName, error.MemberId));
        Assert.Throws<ArgumentNullException>("clusterName", () => new MemberAddressMissingException(null!, "gw-1"));
        Assert.Throws<ArgumentNullException>("memberId", () => new MemberAddressMissingException("refresh", (string)null!));
    }

    [Fact]
    public void RequestNotReplayableException_ForARequest_SaysEachAttemptAndWhy_AndItsInnerExceptionIsTheLastAttempts()
    {
        var first = new MemberAttempt("gw-1", AttemptOutcome.Offline, new HttpRequestException("reset"));
        var last = new MemberAttempt("gw-2", AttemptOutcome.Offline, new HttpRequestException("ended"));

        var error = new RequestNotReplayableException("refresh", "its body cannot be sent again", [first, last]);

        Assert.Equal($"The request to cluster 'refresh' failed ({first}; {last}) and was not sent to another member: its body cannot be sent again.", error.Message);
        Assert.Same(last.Exception, error.InnerException);
        Assert.Equal(("refresh", "its body cannot be sent again"), (error.ClusterName, error.Reason));
        Assert.Equal([first, last], error.Attempts);
    }

    [Fact]
    public void RequestNotReplayableException_WithoutAttempts_HasNoInnerException_AndRefusesNulls()
    {
        var attempt = new MemberAttempt("gw-1", AttemptOutcome.Offline, new HttpRequestException("reset"));

        Assert.Null(new RequestNotReplayableException("refresh", "why", []).InnerException);
        Assert.Throws<ArgumentNullException>("clusterName", () => new RequestNotReplayableException(null!, "why", [attempt]));
        Assert.Throws<ArgumentNullException>("reason", () => new RequestNotReplayableException("refresh", null!, [attempt]));
        Assert.Throws<ArgumentNullException>("attempts", () => new RequestNotReplayableException("refresh", "why", null!));
    }
}
