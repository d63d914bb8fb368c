using System.Net;
using System.Text.Json;

namespace ClusterRouting.AspNetCore.Tests.TestSupport;

/// <summary>Checks a response is a refusal in exactly the form the router's handler reads.</summary>
internal static class Refusal
{
    public static async Task AssertRefusedAsync(HttpResponseMessage response, string limit, long? retryAfterSeconds = null)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("ClusterRouting-Limit", out IEnumerable<string>? values), "no ClusterRouting-Limit header");
        Assert.Equal([limit], values);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        long seconds = (long)response.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.True(seconds >= 1, $"Retry-After {seconds} s is under 1 s");
        if (retryAfterSeconds is long expected)
        {
            Assert.Equal(expected, seconds);
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync();
        string sentence = Gateway.SentenceFor(limit);
        Assert.Contains(sentence, body, StringComparison.Ordinal);
        using JsonDocument problem = JsonDocument.Parse(body);
        Assert.Equal(sentence, problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(limit, problem.RootElement.GetProperty("limit").GetString());
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.6.4", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal("Service Unavailable", problem.RootElement.GetProperty("title").GetString());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("memberId").GetString()), "no memberId");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }
}
