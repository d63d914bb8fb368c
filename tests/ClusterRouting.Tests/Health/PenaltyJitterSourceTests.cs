using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Health;

/// <summary>
/// Penalty jitter draws from a generator of its own: offline reports do not shift the sequence of a seeded
/// <see cref="RandomSource"/> used for Random-mode selections. Regression: each offline report drew from the cluster's
/// source, so a test's or a replay's seeded sequence changed with every penalty.
/// </summary>
public class PenaltyJitterSourceTests
{
    [Fact]
    public void OfflineReportsBetweenSelections_DoNotShiftASeededRandomSequence()
    {
        using var undisturbed = new ClusterSelector("jitter", Clusters.Options(3, SelectionMode.Random), randomSource: RandomSource.FromSeed(7));
        using var disturbed = new ClusterSelector("jitter", Clusters.Options(3, SelectionMode.Random), randomSource: RandomSource.FromSeed(7));

        string?[] expected = Enumerable.Range(0, 20).Select(_ => undisturbed.SelectOnce()).ToArray();
        var actual = Enumerable.Range(0, 10).Select(_ => disturbed.SelectOnce()).ToList();
        for (int i = 0; i < 5; i++)
        {
            disturbed.ReportOffline("gw-2"); // penalized with jitter
            disturbed.ReportSuccess("gw-2"); // and back: the membership selections see is as before
        }

        actual.AddRange(Enumerable.Range(0, 10).Select(_ => disturbed.SelectOnce()));

        Assert.Equal(expected, actual);
    }
}
