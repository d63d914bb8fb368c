using ClusterRouting.Admin.Tests;

namespace ClusterRouting.Tool.Tests;

/// <summary>One run of the tool in process: its exit code and what it wrote to standard output and error.</summary>
public sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public static async Task<ToolRun> RunAsync(params string[] args) => await RunAsync(_ => null, args);

    public static async Task<ToolRun> RunAsync(Func<string, string?> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int exitCode = await CliApp.RunAsync(args, output, error, environment, timeout.Token);
        return new ToolRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The arguments that point the tool at the host's console as the user.</summary>
    public static string[] Against(AdminTestHost host, TestUser? user, params string[] args)
    {
        var all = new List<string>(args) { "--url", new Uri(host.BaseAddress, AdminTestHost.Prefix).ToString() };
        if (user is not null)
        {
            all.Add("--token");
            all.Add(user.Token);
        }

        return all.ToArray();
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
