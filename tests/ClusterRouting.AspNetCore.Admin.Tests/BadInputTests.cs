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
        string title = type switch
        {
            "unknown-cluster" => "Unknown cluster",
            "unknown-member" => "Unknown member",
            "invalid-route-value" => "Invalid request",
            _ => "Invalid body",
        };
        Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        if (field is not null)
        {
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out JsonElement errors), problem.RootElement.ToString());
            Assert.NotEmpty(errors.EnumerateArray());
        }

        Assert.Equal(before, host.Snapshot());
        Assert.DoesNotContain(host.Log.GetSnapshot(), r => r.Id.Name?.StartsWith("Console", StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData("", "The body is empty; expected {\"enabled\": true or false}.")]
    [InlineData("{\"enabled\":\"false\"}", "'enabled' must be true or false.")]
    [InlineData("{\"enable\":false}", "'enable' is not a field of this request: expected {\"enabled\": true or false}.")]
    public async Task SetEnabled_BadBody_SaysWhatIsExpected(string json, string detail)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await new AdminRequest("PUT", Enabled, json).SendAsync(client);

        using JsonDocument problem = await ProblemAsync(response);
        Assert.Equal(detail, problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task SetEnabled_NotJson_SaysWhereItBroke()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await new AdminRequest("PUT", Enabled, "{\"enabled\":false,}").SendAsync(client);

        using JsonDocument problem = await ProblemAsync(response);
        Assert.Matches(
            @"^The body is not a valid JSON object of this request \(at byte [1-9][0-9]*\): expected \{""enabled"": true or false\}\.$",
            problem.RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Change_BodyOfExactlyTheLimit_IsRead(bool chunked)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);
        string head = "{\"enabled\":false,\"padding\":\"";
        string json = head + new string('x', 4096 - head.Length - 2) + "\"}";
        Assert.Equal(4096, Encoding.UTF8.GetByteCount(json));
        using var message = new HttpRequestMessage(HttpMethod.Put, new Uri(Enabled, UriKind.Relative));
        message.Content = chunked
            ? new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(json)))
            : new StringContent(json, Encoding.UTF8);
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using HttpResponseMessage response = await client.SendAsync(message);

        // Read whole, then refused for its unknown field: not for its size.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument problem = await ProblemAsync(response);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("padding", out _), problem.RootElement.ToString());
    }

    [Theory]
    [InlineData("{}", "'mode' is required: one of ")]
    [InlineData("{\"mode\":null}", "'mode' is required: one of ")]
    [InlineData("{\"mode\":\"Sideways\"}", "'Sideways' is not a mode: use one of ")]
    public async Task SetMode_MissingOrUnknown_SaysWhich(string json, string detailStart)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await new AdminRequest("PUT", Mode, json).SendAsync(client);

        using JsonDocument problem = await ProblemAsync(response);
        Assert.StartsWith(detailStart, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
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
            Assert.Equal("Unsupported media type", problem.RootElement.GetProperty("title").GetString());
            string? detail = problem.RootElement.GetProperty("detail").GetString();
            if (contentType is null)
            {
                Assert.Equal("The body must be JSON (Content-Type: application/json); the request has no content type.", detail);
            }
            else
            {
                Assert.StartsWith("The body must be JSON (Content-Type: application/json), not '" + contentType.Split(';')[0], detail, StringComparison.Ordinal);
            }
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
        using JsonDocument problem = await ProblemAsync(response);
        Assert.Equal("Body too large", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal("The body is larger than 4096 bytes.", problem.RootElement.GetProperty("detail").GetString());
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
