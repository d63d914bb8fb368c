using System.Text.Json.Serialization;

namespace ClusterRouting.Admin.Contract;

/// <summary>An error, as RFC 9457 problem details (<c>application/problem+json</c>), with the cluster, member and fields it concerns.</summary>
/// <param name="Type">A URI reference naming the kind of problem.</param>
/// <param name="Title">A short summary of the kind of problem.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What went wrong with this request.</param>
/// <param name="Cluster">The cluster named in the request, when the problem concerns it.</param>
/// <param name="Member">The member named in the request, when the problem concerns it.</param>
/// <param name="Errors">For a malformed body: each field at fault and what is wrong with it.</param>
internal sealed record Problem(
    string Type,
    string Title,
    int Status,
    string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Cluster = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Member = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string[]>? Errors = null);
