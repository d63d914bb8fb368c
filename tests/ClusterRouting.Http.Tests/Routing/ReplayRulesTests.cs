using System.Net.Http.Json;

namespace ClusterRouting.Http.Tests.Routing;

public class ReplayRulesTests
{
    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("TRACE", true)]
    [InlineData("PUT", true)]
    [InlineData("DELETE", true)]
    [InlineData("get", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    [InlineData("CONNECT", false)]
    [InlineData("REFRESH", false)]
    public void IsIdempotent_Method_MatchesRfc9110(string method, bool expected)
    {
        Assert.Equal(expected, ReplayRules.IsIdempotent(new HttpMethod(method)));
    }

    public static TheoryData<string, HttpContent?, bool> Contents() => new()
    {
        { "none", null, true },
        { "ByteArrayContent", new ByteArrayContent([1, 2, 3]), true },
        { "StringContent", new StringContent("x"), true },
        { "FormUrlEncodedContent", new FormUrlEncodedContent([new("a", "b")]), true },
        { "ReadOnlyMemoryContent", new ReadOnlyMemoryContent(new byte[] { 1 }), true },
        { "JsonContent", JsonContent.Create(new { a = 1 }), true },
        { "StreamContent", new StreamContent(new MemoryStream([1])), false },
        { "MultipartContent", new MultipartContent { new StringContent("x") }, false },
    };

    [Theory]
    [MemberData(nameof(Contents))]
    public void CanSendAgain_Content_OnlyBufferedOrReSerializedBodies(string kind, HttpContent? content, bool expected)
    {
        Assert.True(ReplayRules.CanSendAgain(content) == expected, kind);
    }

    [Theory]
    // A body that can't be sent again stops every replay, even after a refusal or a connection never established.
    [InlineData("GET", false, false, false, (int)ReplayVerdict.BodyNotReplayable)]
    [InlineData("POST", false, false, true, (int)ReplayVerdict.BodyNotReplayable)]
    [InlineData("PUT", false, false, true, (int)ReplayVerdict.BodyNotReplayable)]
    // Not processed (refused, never reached): any method goes on.
    [InlineData("POST", true, false, true, (int)ReplayVerdict.Replay)]
    [InlineData("PATCH", true, false, true, (int)ReplayVerdict.Replay)]
    // May have been processed: only an idempotent method, or a request the caller said can be re-created.
    [InlineData("GET", true, false, false, (int)ReplayVerdict.Replay)]
    [InlineData("DELETE", true, false, false, (int)ReplayVerdict.Replay)]
    [InlineData("POST", true, false, false, (int)ReplayVerdict.MayHaveBeenProcessed)]
    [InlineData("POST", false, true, false, (int)ReplayVerdict.Replay)]
    [InlineData("PATCH", false, true, true, (int)ReplayVerdict.Replay)]
    public void Decide_MethodBodyAndOutcome_Verdict(string method, bool bufferedBody, bool factory, bool didNotProcess, int expected)
    {
        // The expected value is an int: the enum is internal, and a public test method can't take it.
        HttpContent content = bufferedBody ? new StringContent("x") : new StreamContent(new MemoryStream([1]));

        Assert.Equal((ReplayVerdict)expected, ReplayRules.Decide(new HttpMethod(method), content, factory, didNotProcess));
    }

    [Fact]
    public void Decide_NoBodyPostMayHaveBeenProcessed_IsNotReplayed()
    {
        Assert.Equal(ReplayVerdict.MayHaveBeenProcessed, ReplayRules.Decide(HttpMethod.Post, content: null, hasContentFactory: false, memberDidNotProcess: false));
        Assert.Equal(ReplayVerdict.Replay, ReplayRules.Decide(HttpMethod.Post, content: null, hasContentFactory: false, memberDidNotProcess: true));
    }
}
