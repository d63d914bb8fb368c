using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// The test application's scheme for scripts and the command-line tool: <c>Authorization: Bearer &lt;key&gt;</c>, each
/// key naming a user and its roles (what a real app does with API keys it keeps in configuration). A missing header
/// is no result; an unknown key fails.
/// </summary>
public sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        byte[] presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        foreach (TestUser user in TestUsers.All)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(user.Token)))
            {
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(user.Principal(SchemeName), SchemeName)));
            }
        }

        return Task.FromResult(AuthenticateResult.Fail("Unknown token."));
    }
}
