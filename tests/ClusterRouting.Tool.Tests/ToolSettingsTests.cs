namespace ClusterRouting.Tool.Tests;

/// <summary>How the options and the environment become the tool's settings: the address, the credentials and their guard, the timeout.</summary>
public sealed class ToolSettingsTests
{
    private static ToolSettings Resolve(string? url, string? token = null, string[]? headers = null, int timeoutSeconds = 30) =>
        ToolSettings.Resolve(url, token, headers ?? [], json: false, timeoutSeconds, _ => null);

    [Fact]
    public void NoAddress_SaysWhereToGiveIt()
    {
        UsageException ex = Assert.Throws<UsageException>(() => Resolve(null));

        Assert.StartsWith("Say where the console is: --url", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ATimeoutOfNoSecondsOrLess_IsAUsageError(int seconds)
    {
        UsageException ex = Assert.Throws<UsageException>(() => Resolve("https://router.example/cluster-routing", timeoutSeconds: seconds));

        Assert.Equal($"--timeout must be a positive number of seconds, not {seconds}.", ex.Message);
    }

    [Fact]
    public void PlainHttpToAnotherMachine_WithoutCredentials_IsAllowed()
    {
        ToolSettings settings = Resolve("http://router.example/cluster-routing");

        Assert.Equal(new Uri("http://router.example/cluster-routing/"), settings.BaseAddress);
        Assert.Null(settings.Token);
        Assert.Empty(settings.Headers);
    }

    [Fact]
    public void Https_WithAToken_IsAllowed()
    {
        ToolSettings settings = Resolve("https://router.example/cluster-routing", token: "secret");

        Assert.Equal("secret", settings.Token);
    }

    [Theory]
    [InlineData("http://localhost:5000/cluster-routing")]
    [InlineData("http://127.0.0.1:5000/cluster-routing")]
    [InlineData("http://[::1]:5000/cluster-routing")]
    public void PlainHttpToThisMachine_WithCredentials_IsAllowed(string url)
    {
        ToolSettings settings = Resolve(url, token: "secret", headers: ["X-Api-Key: k"]);

        Assert.Equal("secret", settings.Token);
        Assert.Equal([new KeyValuePair<string, string>("X-Api-Key", "k")], settings.Headers);
    }

    [Fact]
    public void AnEmptyToken_IsNoToken()
    {
        ToolSettings settings = Resolve("https://router.example/cluster-routing", token: string.Empty);

        Assert.Null(settings.Token);
    }

    [Fact]
    public void TheBase_DropsTheQueryAndFragment_AndEndsWithASlash()
    {
        ToolSettings settings = Resolve("https://router.example/cluster-routing?tenant=a#top");

        Assert.Equal("https://router.example/cluster-routing/", settings.BaseAddress.ToString());
    }
}
