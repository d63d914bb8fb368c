using System.Text.Json;
using ClusterRouting.Http.Tests.TestSupport;

namespace ClusterRouting.Http.Tests.Refusals;

public class RefusalSentencesTests
{
    public static TheoryData<string, ThrottleLimitKind> Sentences() => new()
    {
        { GatewayMessages.Cpu, ThrottleLimitKind.Cpu },
        { GatewayMessages.Memory, ThrottleLimitKind.Memory },
        { GatewayMessages.Concurrency, ThrottleLimitKind.Concurrency },
    };

    [Theory]
    [MemberData(nameof(Sentences))]
    public void Find_DocumentedSentenceAsPlainText_ReturnsItsLimit(string sentence, ThrottleLimitKind limit)
    {
        Assert.Equal(limit, RefusalSentences.Find(sentence));
        Assert.Equal(limit, RefusalSentences.Find($"Error 503: {sentence} (request id 42)"));
    }

    [Theory]
    [MemberData(nameof(Sentences))]
    public void Find_ProblemDetailsWithEscapedApostrophes_ReturnsItsLimit(string sentence, ThrottleLimitKind limit)
    {
        // System.Text.Json's default encoder writes ' as \u0027, as ASP.NET Core's problem details do.
        string json = JsonSerializer.Serialize(new { type = "about:blank", title = "Service Unavailable", status = 503, detail = sentence });
        Assert.Contains("\\u0027", json, StringComparison.Ordinal);

        Assert.Equal(limit, RefusalSentences.Find(json));
    }

    [Fact]
    public void Find_TypographicOrHtmlApostrophes_ReturnsTheLimit()
    {
        Assert.Equal(ThrottleLimitKind.Memory, RefusalSentences.Find(GatewayMessages.Memory.Replace('\'', '\u2019')));
        Assert.Equal(ThrottleLimitKind.Cpu, RefusalSentences.Find("<p>" + GatewayMessages.Cpu.Replace("'", "&#39;", StringComparison.Ordinal) + "</p>"));
        Assert.Equal(ThrottleLimitKind.Cpu, RefusalSentences.Find(GatewayMessages.Cpu.Replace("'", "&#x27;", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("Service Unavailable")]
    [InlineData("")]
    [InlineData("The gateway you selected can't establish data source connections because it's exceeded the GPU limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.")]
    [InlineData("the gateway you selected can't establish data source connections because it's exceeded the CPU limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.")]
    [InlineData("The gateway you selected can't establish data source connections because it's exceeded the CPU limit")]
    public void Find_NoDocumentedSentenceWordForWord_ReturnsNull(string text)
    {
        Assert.Null(RefusalSentences.Find(text));
    }

    [Fact]
    public void Find_TwoSentences_ReturnsTheFirstInTheText()
    {
        Assert.Equal(ThrottleLimitKind.Concurrency, RefusalSentences.Find(GatewayMessages.Concurrency + " " + GatewayMessages.Cpu));
        Assert.Equal(ThrottleLimitKind.Cpu, RefusalSentences.Find(GatewayMessages.Cpu + " " + GatewayMessages.Concurrency));
    }

    [Fact]
    public void Find_NamedEntityApostrophes_ReturnsTheLimit()
    {
        Assert.Equal(ThrottleLimitKind.Concurrency, RefusalSentences.Find(GatewayMessages.Concurrency.Replace("'", "&apos;", StringComparison.Ordinal)));
        Assert.Null(RefusalSentences.Find("Tom &amp; Jerry"));
    }

    [Fact]
    public void Find_NullText_ThrowsNamingIt()
    {
        Assert.Throws<ArgumentNullException>("text", () => RefusalSentences.Find(null!));
    }
}
