using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Admin.Tests;

/// <summary>What AddClusterRoutingAdmin registers: the console counts activity on the application's clock, names an antiforgery header when the app names none, and its options are checked with messages that say what is allowed.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task Activity_IsCountedOnTheApplicationsClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 3, 2, 1, TimeSpan.Zero));
        await using AdminTestHost host = await AdminTestHost.StartAsync(configureServices: s => s.AddSingleton<TimeProvider>(time));
        using HttpClient client = host.Client(TestUsers.Reader);
        for (int i = 0; i < 2; i++)
        {
            using MemberLease lease = host.Clusters.GetCluster("sales").Select();
        }

        JsonElement now = await client.GetJsonAsync("/cluster-routing/api/clusters/sales");
        time.Advance(TimeSpan.FromSeconds(60));
        JsonElement aMinuteLater = await client.GetJsonAsync("/cluster-routing/api/clusters/sales");

        Assert.Equal(2, now.GetProperty("activity").GetProperty("selections").GetInt64());
        Assert.Equal(0, aMinuteLater.GetProperty("activity").GetProperty("selections").GetInt64());
    }

    [Fact]
    public async Task Antiforgery_WithNoHeaderNamed_UsesTheConsolesHeader()
    {
        // An application that clears the header name (cookie-and-form antiforgery only) still gets a header for the console.
        await using AdminTestHost host = await AdminTestHost.StartAsync(configureServices: s => s.Configure<AntiforgeryOptions>(o => o.HeaderName = null));
        (HttpClient client, _) = await host.CookieClientAsync(TestUsers.Operator);
        using (client)
        {
            JsonElement session = await client.GetFromJsonAsync<JsonElement>(new Uri("/cluster-routing/api/session", UriKind.Relative));
            Assert.Equal("RequestVerificationToken", session.GetProperty("antiforgeryHeaderName").GetString());

            using HttpResponseMessage response = await new AdminRequest("PUT", "/cluster-routing/api/clusters/sales/mode", "{\"mode\": \"Random\"}")
                .SendAsync(client, m => m.Headers.Add("RequestVerificationToken", session.GetProperty("antiforgeryToken").GetString()));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(SelectionMode.Random, host.Clusters.GetCluster("sales").Mode);
        }
    }

    [Theory]
    [InlineData(99, "Property RefreshInterval: The refresh interval is 00:00:00.0990000; it must be from 00:00:00.1000000 to 00:01:00.")]
    [InlineData(60_001, "Property RefreshInterval: The refresh interval is 00:01:00.0010000; it must be from 00:00:00.1000000 to 00:01:00.")]
    public void Validate_ARefreshIntervalOutOfRange_SaysTheRange(int milliseconds, string message)
    {
        ValidateOptionsResult result = new AdminOptionsValidator().Validate(
            null, new ClusterRoutingAdminOptions { ChangePolicy = "change", RefreshInterval = TimeSpan.FromMilliseconds(milliseconds) });

        Assert.True(result.Failed);
        Assert.Equal([message], result.Failures);
    }
}
