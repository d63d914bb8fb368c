using System.Net;

namespace ClusterRouting.Admin.Tests;

/// <summary>The page's files are sent whole with their length (not chunked), and a conditional request with their ETag gets no body.</summary>
public sealed class PageAssetsTests
{
    [Theory]
    [InlineData("/cluster-routing/")]
    [InlineData("/cluster-routing/console.js")]
    [InlineData("/cluster-routing/console.css")]
    public async Task Asset_IsSentWithItsLength(string path)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);

        using HttpResponseMessage response = await client.GetAsync(new Uri(path, UriKind.Relative));
        byte[] content = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(content);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal(content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(response.Content.Headers.GetValues("Content-Length")));
    }

    [Fact]
    public async Task Asset_RequestedWithItsETag_IsNotModifiedAndHasNoBody()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);
        using HttpResponseMessage first = await client.GetAsync(new Uri("/cluster-routing/console.css", UriKind.Relative));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, new Uri("/cluster-routing/console.css", UriKind.Relative));
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using HttpResponseMessage response = await client.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(first.Headers.ETag, response.Headers.ETag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }
}
