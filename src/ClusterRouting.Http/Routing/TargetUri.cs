namespace ClusterRouting.Http;

/// <summary>
/// Where a request goes on a member: the member's address, with its base path, followed by the request's path and
/// query. The request's scheme and host name the cluster (<c>http://refresh/query</c>), so only its path and query are kept.
/// </summary>
internal static class TargetUri
{
    /// <summary>Composes <paramref name="memberAddress"/> and the path and query of <paramref name="requestUri"/>.</summary>
    /// <example><c>http://10.0.0.5:8080/gw/</c> and <c>http://refresh/query?x=1</c> give <c>http://10.0.0.5:8080/gw/query?x=1</c>.</example>
    public static Uri Compose(Uri memberAddress, Uri requestUri)
    {
        // The member's scheme, authority and path, without its query or fragment, and without a trailing slash: the
        // request's path starts with one.
        string prefix = memberAddress.GetLeftPart(UriPartial.Path);
        if (prefix.EndsWith('/'))
        {
            prefix = prefix[..^1];
        }

        string pathAndQuery = PathAndQuery(requestUri);
        return new Uri(prefix + pathAndQuery, UriKind.Absolute);
    }

    /// <summary>The request's path and query, escaped, starting with a slash; a relative request URI is taken as a path.</summary>
    internal static string PathAndQuery(Uri requestUri)
    {
        string pathAndQuery = requestUri.IsAbsoluteUri
            ? requestUri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped)
            : StripFragment(requestUri.OriginalString);
        return pathAndQuery.StartsWith('/') ? pathAndQuery : "/" + pathAndQuery;
    }

    private static string StripFragment(string relative)
    {
        int hash = relative.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? relative : relative[..hash];
    }
}
