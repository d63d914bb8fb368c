using ClusterRouting.Admin.Contract;
using Microsoft.AspNetCore.Http;

namespace ClusterRouting.Admin;

/// <summary>The console's problems, each with a stable <c>type</c> a script can switch on.</summary>
internal static class Problems
{
    public const string UnknownClusterType = "urn:cluster-routing:unknown-cluster";
    public const string UnknownMemberType = "urn:cluster-routing:unknown-member";
    public const string InvalidBodyType = "urn:cluster-routing:invalid-body";
    public const string InvalidRouteValueType = "urn:cluster-routing:invalid-route-value";
    public const string UnsupportedMediaTypeType = "urn:cluster-routing:unsupported-media-type";
    public const string BodyTooLargeType = "urn:cluster-routing:body-too-large";
    public const string AntiforgeryType = "urn:cluster-routing:antiforgery";
    public const string ClusterUnavailableType = "urn:cluster-routing:cluster-unavailable";

    public static Problem UnknownCluster(string cluster) => new(
        UnknownClusterType, "Unknown cluster", StatusCodes.Status404NotFound, $"No cluster named '{cluster}' is registered.", Cluster: cluster);

    public static Problem UnknownMember(string cluster, string member) => new(
        UnknownMemberType, "Unknown member", StatusCodes.Status404NotFound, $"Cluster '{cluster}' has no member '{member}'.", cluster, member);

    public static Problem InvalidRouteValue(string field, string detail, string? cluster = null) => new(
        InvalidRouteValueType, "Invalid request", StatusCodes.Status400BadRequest, detail, cluster, Errors: Errors(field, detail));

    public static Problem InvalidBody(string field, string detail, string? cluster = null, string? member = null) => new(
        InvalidBodyType, "Invalid body", StatusCodes.Status400BadRequest, detail, cluster, member, Errors(field, detail));

    public static Problem UnsupportedMediaType(string? contentType) => new(
        UnsupportedMediaTypeType,
        "Unsupported media type",
        StatusCodes.Status415UnsupportedMediaType,
        contentType is null ? "The body must be JSON (Content-Type: application/json); the request has no content type." : $"The body must be JSON (Content-Type: application/json), not '{contentType}'.");

    public static Problem BodyTooLarge(int limit) => new(
        BodyTooLargeType, "Body too large", StatusCodes.Status413PayloadTooLarge, $"The body is larger than {limit} bytes.");

    public static Problem AntiforgeryFailed() => new(
        AntiforgeryType,
        "Antiforgery token missing or invalid",
        StatusCodes.Status400BadRequest,
        "A change sent with cookies must carry the antiforgery token the console's session issued (GET api/session) in its header.");

    public static Problem ClusterUnavailable(string cluster, string reason) => new(
        ClusterUnavailableType, "Cluster unavailable", StatusCodes.Status500InternalServerError, $"Cluster '{cluster}' could not be created: {reason}", Cluster: cluster);

    private static Dictionary<string, string[]> Errors(string field, string detail) => new(StringComparer.Ordinal) { [field] = [detail] };
}
