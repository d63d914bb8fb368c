using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

/// <summary>
/// The sample's scheme for scripts and the cluster-routing tool: <c>Authorization: Bearer &lt;key&gt;</c>, compared in
/// constant time with the operator's and the reader's keys. A real app would use its identity provider's tokens.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ConsoleKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        ClaimsPrincipal? user = keys.SignIn(header["Bearer ".Length..].Trim(), SchemeName);
        return Task.FromResult(user is null
            ? AuthenticateResult.Fail("Unknown key.")
            : AuthenticateResult.Success(new AuthenticationTicket(user, SchemeName)));
    }
}

/// <summary>The two keys: an operator's (may change) and a reader's (may look).</summary>
internal sealed class ConsoleKeys(string operatorKey, string readerKey)
{
    public string Operator { get; } = operatorKey;

    public string Reader { get; } = readerKey;

    /// <summary>Creates the keys from configuration, or random ones for this run.</summary>
    public static ConsoleKeys From(IConfiguration configuration) => new(
        configuration["ConsoleKeys:Operator"] ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
        configuration["ConsoleKeys:Reader"] ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));

    /// <summary>The user a key belongs to, or <see langword="null"/>.</summary>
    public ClaimsPrincipal? SignIn(string key, string scheme)
    {
        byte[] presented = Encoding.UTF8.GetBytes(key);
        if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(Operator)))
        {
            return Principal("operator", scheme, "reader", "operator");
        }

        return CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(Reader)) ? Principal("reader", scheme, "reader") : null;
    }

    private static ClaimsPrincipal Principal(string name, string scheme, params string[] roles) =>
        new(new ClaimsIdentity(roles.Select(r => new Claim(ClaimTypes.Role, r)).Prepend(new Claim(ClaimTypes.Name, name)), scheme));
}
