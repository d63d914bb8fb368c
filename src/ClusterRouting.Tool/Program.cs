// Stryker disable all : the entry point runs only in the tool's own process (ProcessTests, the Process category), which Stryker's in-process test runs do not reach
using ClusterRouting.Tool;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellationToken: cancel.Token);
