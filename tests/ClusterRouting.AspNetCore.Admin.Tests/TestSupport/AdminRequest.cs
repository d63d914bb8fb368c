using System.Net.Http.Headers;
using System.Text;

namespace ClusterRouting.Admin.Tests;

/// <summary>One request to the console: every endpoint it maps, to try each with every kind of caller.</summary>
public sealed record AdminRequest(string Method, string Path, string? Json = null)
{
    /// <summary>The reads: the page, its files, the session, the clusters, one cluster, one member, the live feed.</summary>
    public static readonly AdminRequest[] Reads =
    [
        new("GET", "/cluster-routing/"),
        new("GET", "/cluster-routing/console.js"),
        new("GET", "/cluster-routing/console.css"),
        new("GET", "/cluster-routing/api/session"),
        new("GET", "/cluster-routing/api/clusters"),
        new("GET", "/cluster-routing/api/clusters/sales"),
        new("GET", "/cluster-routing/api/clusters/sales/members/gw-1"),
        new("GET", "/cluster-routing/api/events"),
    ];

    /// <summary>The changes: disable a member, set the mode, remove a member, remove a cluster.</summary>
    public static readonly AdminRequest[] Changes =
    [
        new("PUT", "/cluster-routing/api/clusters/sales/members/gw-1/enabled", "{\"enabled\": false}"),
        new("PUT", "/cluster-routing/api/clusters/sales/mode", "{\"mode\": \"RoundRobin\"}"),
        new("DELETE", "/cluster-routing/api/clusters/sales/members/gw-2"),
        new("DELETE", "/cluster-routing/api/clusters/refresh"),
    ];

    public static readonly AdminRequest[] All = [.. Reads, .. Changes];

    public HttpRequestMessage ToMessage(string? contentType = "application/json")
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(Path, UriKind.Relative));
        if (Json is not null)
        {
            message.Content = new StringContent(Json, Encoding.UTF8);
            message.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }

        return message;
    }

    /// <summary>Sends the request; the live feed is read only up to its headers, then dropped.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpClient client, Action<HttpRequestMessage>? prepare = null)
    {
        using HttpRequestMessage message = ToMessage();
        prepare?.Invoke(message);
        return await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
    }

    public override string ToString() => Method + " " + Path;
}
