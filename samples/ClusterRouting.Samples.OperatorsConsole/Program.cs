// ClusterRouting operators' console sample: a router that serves the status page and the admin API
// (ClusterRouting.AspNetCore.Admin) behind its own authorization policies.
//
//   dotnet run --project samples/ClusterRouting.Samples.OperatorsConsole
//
// Two clusters come from appsettings.json. Reads require the policy "cluster-routing.read" (role reader), changes
// "cluster-routing.change" (role operator). People sign in at /login with a key and get a cookie; scripts and the
// cluster-routing tool send the key as a bearer token. The keys come from configuration (ConsoleKeys:Operator,
// ConsoleKeys:Reader, for example as user secrets or environment variables), or are made up at start and printed.
// A background service sends some traffic so the page has something to show.

using System.Net;
using ClusterRouting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

// The content root is the output folder, where appsettings.json is copied, whatever the working directory.
WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
ConsoleKeys keys = ConsoleKeys.From(builder.Configuration);
builder.Services.AddSingleton(keys);
builder.Services.AddClusterRouting(builder.Configuration.GetSection("ClusterRouting"));
builder.Services.AddHostedService<TrafficService>();

builder.Services.AddAuthentication("Smart")
    .AddPolicyScheme("Smart", "A bearer key for scripts, a cookie for people", o => o.ForwardDefaultSelector = context =>
        context.Request.Headers.Authorization.Count > 0 ? ApiKeyAuthenticationHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
    .AddCookie(o =>
    {
        o.LoginPath = "/login";
        o.Events.OnRedirectToLogin = context =>
        {
            // The page goes to the sign-in form; the API answers scripts with 401, not with a form.
            if (context.Request.Path.StartsWithSegments("/cluster-routing/api", StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }
            else
            {
                context.Response.Redirect(context.RedirectUri);
            }

            return Task.CompletedTask;
        };
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.SlidingExpiration = false;
        o.ExpireTimeSpan = TimeSpan.FromHours(8);
    });
builder.Services.AddAuthorization(o =>
{
    o.AddPolicy("cluster-routing.read", p => p.RequireRole("reader"));
    o.AddPolicy("cluster-routing.change", p => p.RequireRole("operator"));
});
builder.Services.AddClusterRoutingAdmin(o =>
{
    o.ReadPolicy = "cluster-routing.read";
    o.ChangePolicy = "cluster-routing.change";
});

WebApplication app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery(); // for the sign-in form below; the console checks its own changes' tokens

// The sign-in form for people: the key once, then a cookie. The form is protected by antiforgery like any form.
app.MapGet("/login", (HttpContext context, IAntiforgery antiforgery) =>
{
    AntiforgeryTokenSet tokens = antiforgery.GetAndStoreTokens(context);
    string html = $"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · ClusterRouting</title></head>
        <body><h1>ClusterRouting operators' console</h1>
        <form method="post" action="/login">
          <input type="hidden" name="{WebUtility.HtmlEncode(tokens.FormFieldName)}" value="{WebUtility.HtmlEncode(tokens.RequestToken)}">
          <label>Key <input type="password" name="key" autocomplete="off" autofocus></label>
          <button type="submit">Sign in</button>
        </form></body></html>
        """;
    return Results.Content(html, "text/html; charset=utf-8");
});
app.MapPost("/login", async (HttpContext context, [FromForm] string key) =>
{
    var user = context.RequestServices.GetRequiredService<ConsoleKeys>().SignIn(key, CookieAuthenticationDefaults.AuthenticationScheme);
    if (user is null)
    {
        return Results.Redirect("/login");
    }

    await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, user);
    return Results.Redirect("/cluster-routing/");
});

app.MapClusterRoutingAdmin("/cluster-routing");

app.Lifetime.ApplicationStarted.Register(() =>
{
    string url = app.Urls.First();
    Console.WriteLine($"""

        The operators' console is at {url}/cluster-routing/ (sign in at {url}/login).
          operator key: {keys.Operator}
          reader key:   {keys.Reader}
        From a shell, with the tool (dotnet tool install --global ClusterRouting.Tool):
          export CLUSTER_ROUTING_URL={url}/cluster-routing CLUSTER_ROUTING_TOKEN={keys.Operator}
          cluster-routing members refresh
          cluster-routing disable refresh refresh-gw1

        """);
});

app.Run();
