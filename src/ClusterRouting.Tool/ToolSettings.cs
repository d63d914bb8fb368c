using System.Net;

namespace ClusterRouting.Tool;

/// <summary>Where the API is and how to authenticate to it, from the options and the environment.</summary>
internal sealed record ToolSettings(Uri BaseAddress, string? Token, IReadOnlyList<KeyValuePair<string, string>> Headers, bool Json, TimeSpan Timeout)
{
    public const string UrlVariable = "CLUSTER_ROUTING_URL";
    public const string TokenVariable = "CLUSTER_ROUTING_TOKEN";

    /// <summary>The longest <c>--timeout</c>: <see cref="HttpClient.Timeout"/> takes at most <see cref="int.MaxValue"/> milliseconds.</summary>
    public const int MaxTimeoutSeconds = int.MaxValue / 1000;

    /// <exception cref="UsageException">The address is missing or not an absolute http or https URL, the timeout is not positive or too long, a header is malformed, or credentials would go over plain http to another machine.</exception>
    public static ToolSettings Resolve(string? url, string? token, IReadOnlyList<string> headers, bool json, int timeoutSeconds, Func<string, string?> environment)
    {
        url ??= environment(UrlVariable);
        token ??= environment(TokenVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new UsageException($"Say where the console is: --url https://router.example/cluster-routing (or set {UrlVariable}).");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--url must be an absolute http or https address, not '{url}'.");
        }

        if (timeoutSeconds <= 0)
        {
            throw new UsageException($"--timeout must be a positive number of seconds, not {timeoutSeconds}.");
        }

        if (timeoutSeconds > MaxTimeoutSeconds)
        {
            throw new UsageException($"--timeout must be at most {MaxTimeoutSeconds} seconds (about 24.8 days, the longest an HttpClient waits), not {timeoutSeconds}.");
        }

        var parsed = new List<KeyValuePair<string, string>>(headers.Count);
        foreach (string header in headers)
        {
            // No colon (-1) and a colon first (0) both leave an empty name.
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            string name = header[..Math.Max(colon, 0)];
            if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
            {
                throw new UsageException($"--header takes 'Name: value', not '{header}'.");
            }

            parsed.Add(new(name, header[(colon + 1)..].Trim()));
        }

        bool credentials = !string.IsNullOrEmpty(token) || parsed.Count > 0;
        if (credentials && address.Scheme == Uri.UriSchemeHttp && !IsLoopback(address))
        {
            throw new UsageException($"Refusing to send credentials over plain http to {address.Host}: use https (plain http is allowed to this machine only).");
        }

        // The API's paths are relative to the console: keep the base a folder, whatever the user typed.
        var builder = new UriBuilder(address) { Query = string.Empty, Fragment = string.Empty };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        return new ToolSettings(builder.Uri, string.IsNullOrEmpty(token) ? null : token, parsed, json, TimeSpan.FromSeconds(timeoutSeconds));
    }

    private static bool IsLoopback(Uri address) =>
        address.IsLoopback || (IPAddress.TryParse(address.DnsSafeHost, out IPAddress? ip) && IPAddress.IsLoopback(ip));
}
