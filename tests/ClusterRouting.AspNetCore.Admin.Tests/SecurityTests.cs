using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// Who may do what, on a real server: anonymous callers and callers with a bad token get 401 from every endpoint,
/// a reader reads but gets 403 from every change, a cookie-authenticated change needs the antiforgery token issued
/// to the same user, changes never answer GET or POST, and no other origin is let in by CORS; each refused request
/// leaves every cluster exactly as it was.
/// </summary>
public sealed class SecurityTests
{
    public static TheoryData<string> AllRequests() => new(AdminRequest.All.Select(r => r.ToString()));

    public static TheoryData<string> ChangeRequests() => new(AdminRequest.Changes.Select(r => r.ToString()));

    [Theory]
    [MemberData(nameof(AllRequests))]
    public async Task AnyEndpoint_Anonymous_Is401AndChangesNothing(string request)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        using HttpClient client = host.Client();

        using HttpResponseMessage response = await Find(request).SendAsync(client);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, host.Snapshot());
    }

    [Theory]
    [MemberData(nameof(AllRequests))]
    public async Task AnyEndpoint_UnknownToken_Is401AndChangesNothing(string request)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        using HttpClient client = host.Client(new TestUser("mallory", "operator-token-7f3b", "reader", "operator"));

        using HttpResponseMessage response = await Find(request).SendAsync(client);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, host.Snapshot());
    }

    [Theory]
    [MemberData(nameof(AllRequests))]
    public async Task AnyEndpoint_AuthenticatedWithoutRole_Is403AndChangesNothing(string request)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        using HttpClient client = host.Client(TestUsers.Guest);

        using HttpResponseMessage response = await Find(request).SendAsync(client);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, host.Snapshot());
    }

    [Theory]
    [MemberData(nameof(ChangeRequests))]
    public async Task Change_Reader_Is403AndChangesNothing(string request)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        using HttpClient client = host.Client(TestUsers.Reader);

        using HttpResponseMessage response = await Find(request).SendAsync(client);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, host.Snapshot());
    }

    [Fact]
    public async Task Reads_Reader_AreAllowed()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);

        foreach (AdminRequest request in AdminRequest.Reads)
        {
            using HttpResponseMessage response = await request.SendAsync(client);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{request}: {response.StatusCode}");
        }

        using HttpResponseMessage session = await client.GetAsync(new Uri("/cluster-routing/api/session", UriKind.Relative));
        using JsonDocument json = JsonDocument.Parse(await session.Content.ReadAsStringAsync());
        Assert.Equal("rita", json.RootElement.GetProperty("user").GetString());
        Assert.False(json.RootElement.GetProperty("canChange").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("antiforgeryToken").ValueKind);
    }

    [Theory]
    [MemberData(nameof(ChangeRequests))]
    public async Task Change_CookieWithoutAntiforgeryToken_Is400AndChangesNothing(string request)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        (HttpClient client, _) = await host.CookieClientAsync(TestUsers.Operator);
        using (client)
        {
            // The session issues the antiforgery cookie; the forged request carries the cookies but not the token.
            using HttpResponseMessage session = await client.GetAsync(new Uri("/cluster-routing/api/session", UriKind.Relative));
            session.EnsureSuccessStatusCode();
            string before = host.Snapshot();

            using HttpResponseMessage response = await Find(request).SendAsync(client);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("urn:cluster-routing:antiforgery", await ProblemType(response));
            using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("Antiforgery token missing or invalid", problem.RootElement.GetProperty("title").GetString());
            FakeLogRecord rejected = Assert.Single(host.Log.GetSnapshot(), r => r.Id.Name == "ConsoleAntiforgeryRejected");
            Assert.Contains(" /cluster-routing/api/clusters/", rejected.Message, StringComparison.Ordinal);
            Assert.Equal(
                "A change sent with cookies must carry the antiforgery token the console's session issued (GET api/session) in its header.",
                problem.RootElement.GetProperty("detail").GetString());
            Assert.Equal(before, host.Snapshot());
        }
    }

    [Theory]
    [MemberData(nameof(ChangeRequests))]
    public async Task Change_CookieWithAnotherUsersAntiforgeryToken_Is400AndChangesNothing(string request)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        (HttpClient victim, _) = await host.CookieClientAsync(TestUsers.Operator);
        (HttpClient attacker, _) = await host.CookieClientAsync(TestUsers.SecondOperator);
        using (victim)
        using (attacker)
        {
            (string header, string token) = await AntiforgeryAsync(attacker);
            using HttpResponseMessage session = await victim.GetAsync(new Uri("/cluster-routing/api/session", UriKind.Relative));
            string before = host.Snapshot();

            using HttpResponseMessage response = await Find(request).SendAsync(victim, m => m.Headers.Add(header, token));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(before, host.Snapshot());
        }
    }

    [Theory]
    [MemberData(nameof(ChangeRequests))]
    public async Task Change_CookieWithItsAntiforgeryToken_IsApplied(string request)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        (HttpClient client, _) = await host.CookieClientAsync(TestUsers.Operator);
        using (client)
        {
            (string header, string token) = await AntiforgeryAsync(client);
            string before = host.Snapshot();

            using HttpResponseMessage response = await Find(request).SendAsync(client, m => m.Headers.Add(header, token));

            Assert.True(response.IsSuccessStatusCode, $"{request}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.NotEqual(before, host.Snapshot());
        }
    }

    [Fact]
    public async Task Change_BearerTokenWithACookieButNoAntiforgeryToken_Is400()
    {
        // Any cookie makes a change a browser's as far as the console can tell (a hostile page's request carries the
        // victim's cookies with it): a script sends its changes without cookies.
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await AdminRequest.Changes[0].SendAsync(client, m => m.Headers.Add("Cookie", "sticky=lb-7"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, host.Snapshot());
    }

    [Theory]
    [InlineData("GET", "/cluster-routing/api/clusters/sales/members/gw-1/enabled")]
    [InlineData("GET", "/cluster-routing/api/clusters/sales/mode")]
    [InlineData("POST", "/cluster-routing/api/clusters/sales/members/gw-1/enabled")]
    [InlineData("POST", "/cluster-routing/api/clusters/sales/mode")]
    [InlineData("POST", "/cluster-routing/api/clusters/sales/members/gw-2")]
    [InlineData("POST", "/cluster-routing/api/clusters/refresh")]
    public async Task ChangeRoute_GetOrPost_Is405AndChangesNothing(string method, string path)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await new AdminRequest(method, path, method == "POST" ? "{\"enabled\": false, \"mode\": \"Random\"}" : null).SendAsync(client);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(before, host.Snapshot());
    }

    [Theory]
    [InlineData("PUT", "/cluster-routing/api/clusters/sales/members/gw-1/enabled")]
    [InlineData("PUT", "/cluster-routing/api/clusters/sales/mode")]
    [InlineData("DELETE", "/cluster-routing/api/clusters/sales/members/gw-2")]
    [InlineData("DELETE", "/cluster-routing/api/clusters/refresh")]
    public async Task Preflight_FromAnotherOrigin_IsNotAllowedThoughTheAppsPolicyAllowsAnyOrigin(string method, string path)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client();

        // The application's own endpoints do get the permissive policy: the check below can fail.
        using HttpResponseMessage app = await client.SendAsync(Preflight("/test/ping", "GET"));
        Assert.True(app.Headers.Contains("Access-Control-Allow-Origin"));

        using HttpResponseMessage console = await client.SendAsync(Preflight(path, method));
        Assert.False(console.Headers.Contains("Access-Control-Allow-Origin"));
        using HttpResponseMessage read = await client.SendAsync(Preflight("/cluster-routing/api/clusters", "GET"));
        Assert.False(read.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Responses_CarryNoStoreAndThePageALockedDownContentSecurityPolicy()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);

        using HttpResponseMessage api = await client.GetAsync(new Uri("/cluster-routing/api/clusters", UriKind.Relative));
        Assert.True(api.Headers.CacheControl!.NoStore);
        Assert.Equal("nosniff", api.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("application/json", api.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", api.Content.Headers.ContentType.CharSet);
        using HttpResponseMessage page = await client.GetAsync(new Uri("/cluster-routing/", UriKind.Relative));
        string csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(page.Headers.CacheControl!.NoCache);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());

        // A change that answers 204 is not stored either.
        using HttpClient operatorClient = host.Client(TestUsers.Operator);
        using HttpResponseMessage removed = await operatorClient.DeleteAsync(new Uri("/cluster-routing/api/clusters/sales/members/gw-3", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.True(removed.Headers.CacheControl!.NoStore);
    }

    private static HttpRequestMessage Preflight(string path, string method)
    {
        var message = new HttpRequestMessage(HttpMethod.Options, new Uri(path, UriKind.Relative));
        message.Headers.Add("Origin", "https://evil.example");
        message.Headers.Add("Access-Control-Request-Method", method);
        message.Headers.Add("Access-Control-Request-Headers", "content-type");
        return message;
    }

    private static AdminRequest Find(string request) => AdminRequest.All.Single(r => r.ToString() == request);

    private static async Task<(string Header, string Token)> AntiforgeryAsync(HttpClient client)
    {
        var session = await client.GetFromJsonAsync<JsonElement>(new Uri("/cluster-routing/api/session", UriKind.Relative));
        Assert.True(session.GetProperty("canChange").GetBoolean());
        return (session.GetProperty("antiforgeryHeaderName").GetString()!, session.GetProperty("antiforgeryToken").GetString()!);
    }

    private static async Task<string?> ProblemType(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("type").GetString();
    }
}
