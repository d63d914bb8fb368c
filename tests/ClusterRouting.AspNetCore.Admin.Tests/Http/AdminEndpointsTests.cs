using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// The endpoints' own answers, on a real server: each problem names the cluster and member of its request, the audit
/// log names an operator without a name as such, the page's redirect keeps the query and carries no page, the session
/// names the application's antiforgery header, and the mapping keeps the console out of API descriptions.
/// </summary>
public sealed class AdminEndpointsTests
{
    private const string Enabled = "/cluster-routing/api/clusters/sales/members/gw-1/enabled";
    private const string Mode = "/cluster-routing/api/clusters/sales/mode";

    [Theory]
    [InlineData("", "The body is empty; expected {\"enabled\": true or false}.")]
    [InlineData("{}", "'enabled' is required: true or false.")]
    [InlineData("{\"enabled\":null}", "'enabled' is required: true or false.")]
    public async Task SetEnabled_BadBody_IsAProblemNamingTheClusterAndMember(string json, string detail)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await new AdminRequest("PUT", Enabled, json).SendAsync(client);

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        Assert.Equal("sales", problem.GetProperty("cluster").GetString());
        Assert.Equal("gw-1", problem.GetProperty("member").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"mode\":\"Sideways\"}")]
    public async Task SetMode_BadBody_IsAProblemNamingTheCluster(string json)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await new AdminRequest("PUT", Mode, json).SendAsync(client);

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("sales", problem.GetProperty("cluster").GetString());
        Assert.False(problem.TryGetProperty("member", out _), problem.ToString());
    }

    [Theory]
    [InlineData("", "The body is empty; expected {\"mode\": \"Failover\", \"Random\", \"RoundRobin\" or \"LeastLoaded\"}.")]
    [InlineData("{\"mode\":1}", "'mode' must be \"Failover\", \"Random\", \"RoundRobin\" or \"LeastLoaded\".")]
    public async Task SetMode_BadBody_SaysWhatTheModeTakes(string json, string detail)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await new AdminRequest("PUT", Mode, json).SendAsync(client);

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET", "/cluster-routing/api/clusters/sales/members/%20", null)]
    [InlineData("PUT", "/cluster-routing/api/clusters/sales/members/%20/enabled", "{\"enabled\":false}")]
    [InlineData("DELETE", "/cluster-routing/api/clusters/sales/members/%20", null)]
    public async Task BlankMember_IsAProblemNamingTheCluster(string method, string path, string? json)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await new AdminRequest(method, path, json).SendAsync(client);

        JsonElement problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("The member id is empty or white space.", problem.GetProperty("detail").GetString());
        Assert.Equal("sales", problem.GetProperty("cluster").GetString());
    }

    [Fact]
    public async Task Change_ByAnOperatorWithoutAName_IsLoggedAsUnnamed()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Nameless);

        using HttpResponseMessage response = await client.PutJsonAsync(Enabled, "{\"enabled\": false}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        FakeLogRecord audit = Assert.Single(host.Log.GetSnapshot(), r => r.Id.Name == "ConsoleMemberEnabledChanged");
        Assert.Equal("Operator (unnamed) disabled member gw-1 of cluster sales through the console", audit.Message);
    }

    [Fact]
    public async Task Page_WithoutTrailingSlash_RedirectsKeepingTheQuery_AndSendsNoPage()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestUsers.Reader.Token);

        using HttpResponseMessage response = await client.GetAsync(new Uri("/cluster-routing?view=sales", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/cluster-routing/?view=sales", response.Headers.Location!.OriginalString);
        Assert.Null(response.Headers.ETag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Session_OfAnOperator_IssuesTheTokenUnderTheDefaultHeader()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        JsonElement session = await client.GetJsonAsync("/cluster-routing/api/session");

        Assert.Equal("olivia", session.GetProperty("user").GetString());
        Assert.True(session.GetProperty("canChange").GetBoolean());
        Assert.Equal("RequestVerificationToken", session.GetProperty("antiforgeryHeaderName").GetString());
        Assert.False(string.IsNullOrEmpty(session.GetProperty("antiforgeryToken").GetString()));
    }

    [Fact]
    public async Task Session_KeepsTheAntiforgeryHeaderTheApplicationNamed()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync(configureServices: s => s.Configure<AntiforgeryOptions>(o => o.HeaderName = "X-XSRF-TOKEN"));
        using HttpClient client = host.Client(TestUsers.Operator);

        JsonElement session = await client.GetJsonAsync("/cluster-routing/api/session");

        Assert.Equal("X-XSRF-TOKEN", session.GetProperty("antiforgeryHeaderName").GetString());
    }

    [Fact]
    public void Map_KeepsEveryEndpointOutOfApiDescriptions()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddClusterRouting().AddCluster("sales", o => o.Members.Add(new ClusterMemberOptions("gw-1")));
        builder.Services.AddAuthorization(o => o.AddPolicy("change", p => p.RequireAuthenticatedUser()));
        builder.Services.AddClusterRoutingAdmin(o => o.ChangePolicy = "change");
        using WebApplication app = builder.Build();

        app.MapClusterRoutingAdmin("/cluster-routing");

        Endpoint[] endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).ToArray();
        Assert.Equal(12, endpoints.Length);
        Assert.All(endpoints, e => Assert.True(e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription, e.DisplayName));
    }

    [Fact]
    public void Map_WithoutAuthorization_FailsSayingWhatToCall()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddClusterRouting().AddCluster("sales", o => o.Members.Add(new ClusterMemberOptions("gw-1")));
        builder.Services.AddClusterRoutingAdmin(o => o.ChangePolicy = "change");
        using WebApplication app = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapClusterRoutingAdmin("/cluster-routing"));

        Assert.Equal(
            "The operators' console requires authorization: call services.AddAuthorization(...) and define the policies named in ClusterRoutingAdminOptions.",
            ex.Message);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }
}
