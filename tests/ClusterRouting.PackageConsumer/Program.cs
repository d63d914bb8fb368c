// Exercises the packed packages as users get them: the core (failover, random, throttling and a typed error), the
// health checks, the member side, the HTTP handler (HttpChecks.cs), the operators' console and its command-line
// tool, and the README packed into each (argument: the folder the packages were packed to).
// Exits with 1 and says what failed when a package does not behave as documented.
using ClusterRouting;

int failures = 0;

void Check(bool condition, string what)
{
    Console.WriteLine($"{(condition ? "ok  " : "FAIL")} {what}");
    failures += condition ? 0 : 1;
}

var cluster = new ClusterSelector("consumer", new ClusterOptions
{
    Members = { new("gw-1"), new("gw-2"), new("gw-3") },
    CPUUtilizationPercentageThreshold = 80,
});

using (MemberLease lease = cluster.Select())
{
    Check(lease.MemberId == "gw-1", "failover: the primary takes the operation");
}

cluster.SetMemberEnabled("gw-1", false);
using (MemberLease lease = cluster.Select())
{
    Check(lease.MemberId == "gw-2", "failover: the next member in order when the primary is disabled");
}

cluster.SetMemberEnabled("gw-1", true);
cluster.Mode = SelectionMode.Random;
var seen = new HashSet<string>();
for (int i = 0; i < 300; i++)
{
    using MemberLease lease = cluster.Select();
    seen.Add(lease.MemberId);
}

Check(seen.Count == 3, "random: every member is chosen");

cluster.ReportUtilization("gw-1", 95, 10);
cluster.ReportUtilization("gw-2", 95, 10);
cluster.ReportUtilization("gw-3", 95, 10);
try
{
    using MemberLease lease = cluster.Select();
    Check(false, "throttling: a member over the CPU threshold was selected");
}
catch (ClusterThrottledException ex)
{
    Check(ex.Limit == ThrottleLimitKind.Cpu, "throttling: a typed error names the CPU limit");
    Check(ex.Message == "The gateway you selected can't establish data source connections because it's exceeded the CPU limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.", "throttling: the message is the gateway's sentence");
}

await HealthCheckChecks.RunAsync(Check);
await MemberCheck.RunAsync(Check);
await HttpChecks.RunAsync(Check);
await AdminConsoleChecks.RunAsync(Check);
if (args.Length > 0)
{
    PackageReadmeChecks.Run(args[0], Check);
}
else
{
    Check(false, "readme: the package folder was passed as the argument");
}

Console.WriteLine(failures == 0 ? "The packages work." : $"{failures} check(s) failed.");
return failures == 0 ? 0 : 1;
