using System.Net;

namespace ClusterRouting.Http.Tests.Refusals;

public class RefusalRulesTests
{
    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.OK, false)]
    [InlineData(HttpStatusCode.InternalServerError, false)]
    [InlineData(HttpStatusCode.BadGateway, false)]
    [InlineData(HttpStatusCode.GatewayTimeout, false)]
    public void MayBeRefusal_Status_Only503And429(HttpStatusCode status, bool expected)
    {
        Assert.Equal(expected, RefusalRules.MayBeRefusal(status));
    }

    [Theory]
    [InlineData(ThrottleLimitKind.Memory, ThrottleLimitKind.Cpu, true, ThrottleLimitKind.Memory)]
    [InlineData(ThrottleLimitKind.Memory, null, false, ThrottleLimitKind.Memory)]
    [InlineData(null, ThrottleLimitKind.Cpu, true, ThrottleLimitKind.Cpu)]
    [InlineData(null, ThrottleLimitKind.Cpu, false, ThrottleLimitKind.Cpu)]
    [InlineData(null, null, true, ThrottleLimitKind.Concurrency)]
    [InlineData(null, null, false, null)]
    public void LimitOf_HeaderThenSentenceThenRetryAfter(ThrottleLimitKind? header, ThrottleLimitKind? sentence, bool retryAfter, ThrottleLimitKind? expected)
    {
        Assert.Equal(expected, RefusalRules.LimitOf(header, sentence, retryAfter));
    }

    [Theory]
    [InlineData("cpu", ThrottleLimitKind.Cpu)]
    [InlineData("CPU", ThrottleLimitKind.Cpu)]
    [InlineData(" memory ", ThrottleLimitKind.Memory)]
    [InlineData("Concurrency", ThrottleLimitKind.Concurrency)]
    [InlineData("custom", null)]
    [InlineData("gpu", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void LimitHeaderParse_Value_NamesALimitOrNothing(string? value, ThrottleLimitKind? expected)
    {
        Assert.Equal(expected, LimitHeader.Parse(value));
    }

    [Fact]
    public void LimitHeaderRead_SeveralValues_TakesTheFirstKnown()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("ClusterRouting-Limit", ["gpu", "memory"]);

        Assert.Equal(ThrottleLimitKind.Memory, LimitHeader.Read(response.Headers));
    }

    [Fact]
    public void LimitHeaderRead_Absent_Null()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.Null(LimitHeader.Read(response.Headers));
    }
}
