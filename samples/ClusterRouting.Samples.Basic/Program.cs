// ClusterRouting basic sample.
//
// A three-member cluster routes 3,000 operations in each selection mode. Half-way through, the primary is
// disabled, and a histogram shows where the operations went before and after:
//   Failover   - everything goes to the primary, then everything to the next member in order.
//   Random     - an even spread over the enabled members (the gateway's "distribute requests" setting).
//   RoundRobin - an even rotation over the enabled members (exact for each thread).
// Finally every member is disabled, to show the error a selection raises when no member can take it.

using ClusterRouting;

const int Selections = 3_000;
const int SelectionsPerMark = 50;
string[] memberIds = ["gw-primary", "gw-second", "gw-third"];

var cluster = new ClusterSelector(
    "sales-reports",
    new ClusterOptions
    {
        Members = { new("gw-primary", "3000.250.5"), new("gw-second", "3000.250.5"), new("gw-third", "3000.250.5") },
        Mode = SelectionMode.Failover,
    },
    randomSource: RandomSource.FromSeed(42)); // seeded so that the output is the same on every run

foreach (SelectionMode mode in Enum.GetValues<SelectionMode>())
{
    cluster.Mode = mode;
    var before = new int[memberIds.Length];
    var after = new int[memberIds.Length];

    for (int i = 0; i < Selections; i++)
    {
        if (i == Selections / 2)
        {
            cluster.SetMemberEnabled("gw-primary", false);
        }

        if (cluster.TrySelect(out MemberLease lease))
        {
            using (lease) // a real caller would run the operation on lease.MemberId here
            {
                int[] counts = i < Selections / 2 ? before : after;
                counts[lease.MemberIndex]++;
            }
        }
    }

    cluster.SetMemberEnabled("gw-primary", true);

    Console.WriteLine($"== {mode} ({Selections:N0} selections, one '#' per {SelectionsPerMark}) ==");
    PrintHistogram("before disabling the primary", before);
    PrintHistogram("after disabling the primary", after);
    Console.WriteLine();
}

// With every member disabled, Select throws and the message says why each member was passed over.
foreach (string id in memberIds)
{
    cluster.SetMemberEnabled(id, false);
}

try
{
    using MemberLease lease = cluster.Select();
    Console.WriteLine($"Unexpectedly selected {lease.MemberId}.");
}
catch (NoMemberAvailableException ex)
{
    Console.WriteLine("== Every member disabled ==");
    Console.WriteLine(ex.Message);
}

void PrintHistogram(string title, int[] counts)
{
    Console.WriteLine($"  {title}:");
    for (int m = 0; m < memberIds.Length; m++)
    {
        string bar = new('#', counts[m] / SelectionsPerMark);
        Console.WriteLine($"    {memberIds[m],-10} {counts[m],5:N0} {bar}".TrimEnd());
    }
}
