using System.Security.Claims;

namespace ClusterRouting.Admin.Tests;

/// <summary>A user of the test application: its name, its roles, and the token its scripts use.</summary>
public sealed record TestUser(string Name, string Token, params string[] Roles)
{
    public ClaimsPrincipal Principal(string scheme)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, Name), new(ClaimTypes.NameIdentifier, Name) };
        foreach (string role in Roles)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}

/// <summary>The test application's users: an operator may read and change, a reader only read, a guest nothing; one operator has no name.</summary>
public static class TestUsers
{
    public static readonly TestUser Operator = new("olivia", "operator-token-7f3a", "reader", "operator");
    public static readonly TestUser SecondOperator = new("oscar", "operator-token-91c2", "reader", "operator");
    public static readonly TestUser Reader = new("rita", "reader-token-2b8e", "reader");
    public static readonly TestUser Guest = new("gus", "guest-token-55d0");

    /// <summary>An operator whose sign-in carries an empty name (an API key issued to no one in particular).</summary>
    public static readonly TestUser Nameless = new(string.Empty, "nameless-token-4c1d", "reader", "operator");

    public static readonly TestUser[] All = [Operator, SecondOperator, Reader, Guest, Nameless];

    public static TestUser? ByName(string? name) => Array.Find(All, u => u.Name == name);
}
