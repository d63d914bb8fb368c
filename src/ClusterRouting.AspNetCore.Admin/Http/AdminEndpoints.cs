using System.Text.Json.Serialization.Metadata;
using ClusterRouting.Admin.Contract;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClusterRouting.Admin;

/// <summary>
/// Maps the console: the page and its files, the reads and the live feed behind the read policy, the changes behind
/// the change policy. Handlers are plain request delegates (no reflection-built binding), so the console is trim- and
/// AOT-safe; every answer is JSON from the source-generated contract, or problem details.
/// </summary>
internal static class AdminEndpoints
{
    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string pattern)
    {
        IServiceProvider services = endpoints.ServiceProvider;
        RoutingActivity activity = services.GetService<RoutingActivity>()
            ?? throw new InvalidOperationException("Call services.AddClusterRoutingAdmin(options => options.ChangePolicy = \"...\") before MapClusterRoutingAdmin.");

        // Throws OptionsValidationException, naming each problem, when no change policy is named.
        ClusterRoutingAdminOptions options = services.GetRequiredService<IOptions<ClusterRoutingAdminOptions>>().Value;
        string changePolicy = options.ChangePolicy!;
        string readPolicy = options.ReadPolicy ?? changePolicy;
        EnsurePoliciesExist(services, readPolicy, changePolicy);
        activity.Start();

        ClusterReader reader = services.GetRequiredService<ClusterReader>();
        ClusterChanges changes = services.GetRequiredService<ClusterChanges>();
        ChangeGuard guard = services.GetRequiredService<ChangeGuard>();
        EventStream stream = services.GetRequiredService<EventStream>();
        PageAssets assets = services.GetRequiredService<PageAssets>();
        IAuthorizationService authorization = services.GetRequiredService<IAuthorizationService>();
        IAntiforgery antiforgery = services.GetRequiredService<IAntiforgery>();

        RouteGroupBuilder group = endpoints.MapGroup(pattern);

        // Same-origin only: no CORS policy of the application's applies to the console, so no other origin can read
        // it or pass a preflight for a change. Only where the application uses CORS: the metadata needs the CORS
        // middleware, and an application without CORS answers no other origin anyway.
        if (services.GetService<ICorsService>() is not null)
        {
            group.WithMetadata(new DisableCorsAttribute());
        }
        group.ExcludeFromDescription();

        // Stryker disable once String : "" joins the group's pattern into the same route as "/" (both /cluster-routing/, which also matches the path without its slash)
        group.MapGet("/", context => Page(context, assets)).RequireAuthorization(readPolicy);
        group.MapGet("/console.js", context => assets.WriteAsync(context, "console.js")).RequireAuthorization(readPolicy);
        group.MapGet("/console.css", context => assets.WriteAsync(context, "console.css")).RequireAuthorization(readPolicy);

        group.MapGet("/api/session", context => Session(context, authorization, antiforgery, changePolicy)).RequireAuthorization(readPolicy);
        group.MapGet("/api/clusters", context => WriteAsync(context, reader.List(), AdminJsonContext.Default.ClusterList)).RequireAuthorization(readPolicy);
        group.MapGet("/api/clusters/{cluster}", context => WriteAsync(context, reader.Get(Route(context, "cluster")), AdminJsonContext.Default.ClusterDetail))
            .RequireAuthorization(readPolicy);
        group.MapGet("/api/clusters/{cluster}/members/{member}", context => ReadMember(context, reader)).RequireAuthorization(readPolicy);
        group.MapGet("/api/events", stream.WriteAsync).RequireAuthorization(readPolicy);

        group.MapPut("/api/clusters/{cluster}/members/{member}/enabled", context => SetEnabled(context, guard, changes)).RequireAuthorization(changePolicy);
        group.MapPut("/api/clusters/{cluster}/mode", context => SetMode(context, guard, changes)).RequireAuthorization(changePolicy);
        group.MapDelete("/api/clusters/{cluster}/members/{member}", context => RemoveMember(context, guard, changes)).RequireAuthorization(changePolicy);
        group.MapDelete("/api/clusters/{cluster}", context => RemoveCluster(context, guard, changes)).RequireAuthorization(changePolicy);
        return group;
    }

    /// <summary>The authenticated caller's name for the audit log.</summary>
    public static string UserOf(HttpContext context) => context.User.Identity?.Name is { Length: > 0 } name ? name : "(unnamed)";

    private static Task Page(HttpContext context, PageAssets assets)
    {
        // The page's links are relative (console.js, api/...): they resolve under the mapping only from its folder.
        PathString path = context.Request.PathBase.Add(context.Request.Path);
        if (!path.Value!.EndsWith('/'))
        {
            context.Response.Redirect(path.Value + "/" + context.Request.QueryString);
            return Task.CompletedTask;
        }

        return assets.WriteAsync(context, "index.html");
    }

    private static async Task Session(HttpContext context, IAuthorizationService authorization, IAntiforgery antiforgery, string changePolicy)
    {
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        bool canChange = (await authorization.AuthorizeAsync(context.User, changePolicy).ConfigureAwait(false)).Succeeded;
        string? header = null;
        string? token = null;
        if (canChange)
        {
            AntiforgeryTokenSet tokens = antiforgery.GetAndStoreTokens(context);
            header = tokens.HeaderName;
            token = tokens.RequestToken;
        }

        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        await WriteAsync(context, new SessionInfo(context.User.Identity?.Name, canChange, header, token), AdminJsonContext.Default.SessionInfo).ConfigureAwait(false);
    }

    private static Task ReadMember(HttpContext context, ClusterReader reader)
    {
        string cluster = Route(context, "cluster");
        string member = Route(context, "member");
        return WriteAsync(context, string.IsNullOrWhiteSpace(member) ? BlankMember(cluster) : reader.GetMember(cluster, member), AdminJsonContext.Default.MemberDetail);
    }

    private static async Task SetEnabled(HttpContext context, ChangeGuard guard, ClusterChanges changes)
    {
        string cluster = Route(context, "cluster");
        string member = Route(context, "member");
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        Outcome<MemberDetail> outcome = await Checked(context, guard, member).ConfigureAwait(false) is Problem problem
            ? problem
            : await ReadEnabled(context, cluster, member, changes).ConfigureAwait(false);
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        await WriteAsync(context, outcome, AdminJsonContext.Default.MemberDetail).ConfigureAwait(false);
    }

    private static async Task<Outcome<MemberDetail>> ReadEnabled(HttpContext context, string cluster, string member, ClusterChanges changes)
    {
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        Outcome<SetEnabledRequest> body = await JsonBody.ReadAsync(context.Request, AdminJsonContext.Default.SetEnabledRequest, "enabled", "true or false", context.RequestAborted).ConfigureAwait(false);
        if (body.Problem is not null)
        {
            return body.Problem with { Cluster = cluster, Member = member };
        }

        if (body.Value!.Enabled is not bool enabled)
        {
            return Problems.InvalidBody("enabled", "'enabled' is required: true or false.", cluster, member);
        }

        return changes.SetEnabled(cluster, member, enabled, UserOf(context));
    }

    private static async Task SetMode(HttpContext context, ChangeGuard guard, ClusterChanges changes)
    {
        string cluster = Route(context, "cluster");
        Outcome<ClusterDetail> outcome;
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        if (await Checked(context, guard, member: null).ConfigureAwait(false) is Problem problem)
        {
            outcome = problem;
        }
        else
        {
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
            Outcome<SetModeRequest> body = await JsonBody.ReadAsync(context.Request, AdminJsonContext.Default.SetModeRequest, "mode", ModeNames.Expected, context.RequestAborted).ConfigureAwait(false);
            if (body.Problem is not null)
            {
                outcome = body.Problem with { Cluster = cluster };
            }
            else if (!ModeNames.TryParse(body.Value!.Mode, out SelectionMode mode))
            {
                outcome = Problems.InvalidBody(
                    "mode",
                    body.Value.Mode is null ? $"'mode' is required: one of {ModeNames.Expected}." : $"'{body.Value.Mode}' is not a mode: use one of {ModeNames.Expected}.",
                    cluster);
            }
            else
            {
                outcome = changes.SetMode(cluster, mode, UserOf(context));
            }
        }

        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        await WriteAsync(context, outcome, AdminJsonContext.Default.ClusterDetail).ConfigureAwait(false);
    }

    private static async Task RemoveMember(HttpContext context, ChangeGuard guard, ClusterChanges changes)
    {
        string cluster = Route(context, "cluster");
        string member = Route(context, "member");
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        Problem? problem = await Checked(context, guard, member).ConfigureAwait(false) ?? changes.RemoveMember(cluster, member, UserOf(context));
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        await WriteNoContentAsync(context, problem).ConfigureAwait(false);
    }

    private static async Task RemoveCluster(HttpContext context, ChangeGuard guard, ClusterChanges changes)
    {
        string cluster = Route(context, "cluster");
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        Problem? problem = await Checked(context, guard, member: null).ConfigureAwait(false) ?? changes.RemoveCluster(cluster, UserOf(context));
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        await WriteNoContentAsync(context, problem).ConfigureAwait(false);
    }

    /// <summary>The checks every change passes first: its antiforgery token when sent with cookies, and a member id that is not blank.</summary>
    private static async Task<Problem?> Checked(HttpContext context, ChangeGuard guard, string? member)
    {
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        if (await guard.CheckAsync(context).ConfigureAwait(false) is Problem problem)
        {
            return problem;
        }

        return member is not null && string.IsNullOrWhiteSpace(member) ? BlankMember(Route(context, "cluster")) : null;
    }

    private static Problem BlankMember(string cluster) => Problems.InvalidRouteValue("member", "The member id is empty or white space.", cluster);

    // Stryker disable once String : unreachable: each caller names a parameter of its own route, which routing always sets to a string
    private static string Route(HttpContext context, string name) => context.GetRouteValue(name) as string ?? string.Empty;

    private static Task WriteAsync<T>(HttpContext context, Outcome<T> outcome, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        NoStore(context.Response);
        if (outcome.Problem is Problem problem)
        {
            return WriteProblemAsync(context, problem);
        }

        return context.Response.WriteAsJsonAsync(outcome.Value!, typeInfo, contentType: "application/json; charset=utf-8", context.RequestAborted);
    }

    private static Task WriteNoContentAsync(HttpContext context, Problem? problem)
    {
        NoStore(context.Response);
        if (problem is not null)
        {
            return WriteProblemAsync(context, problem);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static Task WriteProblemAsync(HttpContext context, Problem problem)
    {
        context.Response.StatusCode = problem.Status;
        return context.Response.WriteAsJsonAsync(problem, AdminJsonContext.Default.Problem, contentType: "application/problem+json; charset=utf-8", context.RequestAborted);
    }

    private static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private static void EnsurePoliciesExist(IServiceProvider services, params string[] policies)
    {
        IAuthorizationPolicyProvider provider = services.GetService<IAuthorizationPolicyProvider>()
            ?? throw new InvalidOperationException("The operators' console requires authorization: call services.AddAuthorization(...) and define the policies named in ClusterRoutingAdminOptions.");
        foreach (string policy in policies)
        {
            // The default provider answers synchronously; a policy named by mistake fails here, at start, and not
            // with a 500 on the first request.
            if (provider.GetPolicyAsync(policy).GetAwaiter().GetResult() is null)
            {
                throw new InvalidOperationException($"No authorization policy named '{policy}' is defined; the operators' console requires the policies named in ClusterRoutingAdminOptions.");
            }
        }
    }
}
