// Stryker disable all : the entry point runs only in the tool's own process (ProcessTests, the Process category), which Stryker's in-process test runs do not reach
using ClusterRouting.Tool;

// System.CommandLine turns Ctrl+C (SIGINT) and SIGTERM into the cancellation of the command's token; the command then
// ends with exit code 130 (ExitCodes.Interrupted). A handler of our own would run after Main returned.
return await CliApp.RunAsync(args, Console.Out, Console.Error);
