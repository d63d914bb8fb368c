using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// Every bad input an operator's script can send, on a real server, as an operator: unknown clusters and members are
/// 404, malformed bodies 400 naming the field, a body that is not JSON 415, one too large 413, each as problem
/// details with a stable type, and none changes anything.
/// </summary>
public sealed class BadInputTests
{
    private const string Enabled = "/cluster-routing/api/clusters/sales/members/gw-1/enabled";
    private const string Mode = "/cluster-routing/api/clusters/sales/mode";

    public static TheoryData<string, string, string?, int, string, string?> Cases() => new()
    {
        // method, path, JSON body, status, problem type, field named in errors
        { "GET", "/cluster-routing/api/clusters/nope", null, 404, "unknown-cluster", null },
        { "GET", "/cluster-routing/api/clusters/Sales", null, 404, "unknown-cluster", null },
        { "GET", "/cluster-routing/api/clusters/nope/members/gw-1", null, 404, "unknown-cluster", null },
        { "GET", "/cluster-routing/api/clusters/sales/members/gw-9", null, 404, "unknown-member", null },
        { "GET", "/cluster-routing/api/clusters/sales/members/%20", null, 400, "invalid-route-value", "member" },
        { "PUT", "/cluster-routing/api/clusters/nope/members/gw-1/enabled", "{\"enabled\":false}", 404, "unknown-cluster", null },
        { "PUT", "/cluster-routing/api/clusters/sales/members/gw-9/enabled", "{\"enabled\":false}", 404, "unknown-member", null },
        { "PUT", "/cluster-routing/api/clusters/sales/members/%20/enabled", "{\"enabled\":false}", 400, "invalid-route-value", "member" },
        { "PUT", "/cluster-routing/api/clusters/nope/mode", "{\"mode\":\"Random\"}", 404, "unknown-cluster", null },
        { "DELETE", "/cluster-routing/api/clusters/nope/members/gw-1", null, 404, "unknown-cluster", null },
        { "DELETE", "/cluster-routing/api/clusters/sales/members/gw-9", null, 404, "unknown-member", null },
        { "DELETE", "/cluster-routing/api/clusters/sales/members/%20", null, 400, "invalid-route-value", "member" },
        { "DELETE", "/cluster-routing/api/clusters/nope", null, 404, "unknown-cluster", null },
        { "DELETE", "/cluster-routing/api/clusters/%20", null, 404, "unknown-cluster", null },
        { "PUT", Enabled, string.Empty, 400, "invalid-body", "$" },
        { "PUT", Enabled, "null", 400, "invalid-body", "$" },
        { "PUT", Enabled, "[]", 400, "invalid-body", "$" },
        { "PUT", Enabled, "false", 400, "invalid-body", "$" },
        { "PUT", Enabled, "{", 400, "invalid-body", "$" },
        { "PUT", Enabled, "{}", 400, "invalid-body", "enabled" },
        { "PUT", Enabled, "{\"enabled\":null}", 400, "invalid-body", "enabled" },
        { "PUT", Enabled, "{\"enabled\":\"false\"}", 400, "invalid-body", "enabled" },
        { "PUT", Enabled, "{\"enabled\":0}", 400, "invalid-body", "enabled" },
        { "PUT", Enabled, "{\"enabled\":[false]}", 400, "invalid-body", "enabled" },
        { "PUT", Enabled, "{\"enable\":false}", 400, "invalid-body", "enable" },
        { "PUT", Enabled, "{\"enabled\":false,\"member\":\"gw-2\"}", 400, "invalid-body", "member" },
        { "PUT", Enabled, "{\"enabled\":false} {\"enabled\":true}", 400, "invalid-body", "$" },
        { "PUT", Enabled, "{\"enabled\":false,}", 400, "invalid-body", "$" },
        { "PUT", Mode, "{}", 400, "invalid-body", "mode" },
        { "PUT", Mode, "{\"mode\":null}", 400, "invalid-body", "mode" },
        { "PUT", Mode, "{\"mode\":\"\"}", 400, "invalid-body", "mode" },
        { "PUT", Mode, "{\"mode\":\"Sideways\"}", 400, "invalid-body", "mode" },
        { "PUT", Mode, "{\"mode\":\"1\"}", 400, "invalid-body", "mode" },
        { "PUT", Mode, "{\"mode\":1}", 400, "invalid-body", "mode" },
        { "PUT", Mode, "{\"mode\":\"Round Robin\"}", 400, "invalid-body", "mode" },
        { "PUT", Mode, "{\"mode\":\"RoundRobin\",\"members\":[]}", 400, "invalid-body", "members" },
        { "PUT", Mode, "\"RoundRobin\"", 400, "invalid-body", "$" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_IsAProblemNamingIt_AndChangesNothing(string method, string path, string? json, int status, string type, string? field)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await new AdminRequest(method, path, json).SendAsync(client);

        Assert.Equal(status, (int)response.StatusCode);
        using JsonDocument problem = await ProblemAsync(response);
        Assert.Equal("urn:cluster-routing:" + type, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        if (field is not null)
        {
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out JsonElement errors), problem.RootElement.ToString());
            Assert.NotEmpty(errors.EnumerateArray());
        }

        Assert.Equal(before, host.Snapshot());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/xml")]
    public async Task Change_BodyThatIsNotJson_Is415AndChangesNothing(string? contentType)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        using HttpClient client = host.Client(TestUsers.Operator);

        foreach (AdminRequest request in new AdminRequest[] { new("PUT", Enabled, "{\"enabled\":false}"), new("PUT", Mode, "{\"mode\":\"Random\"}") })
        {
            using HttpRequestMessage message = request.ToMessage(contentType);
            using HttpResponseMessage response = await client.SendAsync(message);

            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            using JsonDocument problem = await ProblemAsync(response);
            Assert.Equal("urn:cluster-routing:unsupported-media-type", problem.RootElement.GetProperty("type").GetString());
        }

        Assert.Equal(before, host.Snapshot());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Change_BodyOverTheLimit_Is413AndChangesNothing(bool chunked)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        using HttpClient client = host.Client(TestUsers.Operator);
        string json = "{\"enabled\":false,\"padding\":\"" + new string('x', 5000) + "\"}";
        using var message = new HttpRequestMessage(HttpMethod.Put, new Uri(Enabled, UriKind.Relative));
        message.Content = chunked
            ? new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(json)))
            : new StringContent(json, Encoding.UTF8);
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await client.SendAsync(message);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(before, host.Snapshot());
    }

    [Fact]
    public async Task Change_JsonWithCharsetAndCaseInsensitiveNames_IsApplied()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpRequestMessage message = new AdminRequest("PUT", "/cluster-routing/api/clusters/sales/members/GW-1/enabled", "{\"Enabled\":false}").ToMessage("application/json; charset=utf-8");
        using HttpResponseMessage response = await client.SendAsync(message);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(host.Clusters.GetAdministration("sales").GetStatus().Members[0].Enabled);
    }

    private static async Task<JsonDocument> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>A body sent chunked, with no Content-Length, so that the server finds its size only by reading.</summary>
    private sealed class NoLengthStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
