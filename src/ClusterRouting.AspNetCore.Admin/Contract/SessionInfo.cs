namespace ClusterRouting.Admin.Contract;

/// <summary>Who the page is talking for and whether they may change anything: <c>GET {prefix}/api/session</c>.</summary>
/// <param name="User">The authenticated user's name, when it has one.</param>
/// <param name="CanChange">Whether the user satisfies the change policy.</param>
/// <param name="AntiforgeryHeaderName">The header a change made with cookies must carry the token in; set when <paramref name="CanChange"/>.</param>
/// <param name="AntiforgeryToken">The request token for that header; set when <paramref name="CanChange"/>.</param>
internal sealed record SessionInfo(string? User, bool CanChange, string? AntiforgeryHeaderName, string? AntiforgeryToken);
