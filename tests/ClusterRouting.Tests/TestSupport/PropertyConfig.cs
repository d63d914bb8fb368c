using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace ClusterRouting.Tests.TestSupport;

/// <summary>FsCheck settings with a pinned seed, so CI runs the same cases every time.</summary>
internal static class PropertyConfig
{
    /// <summary>Set CLUSTERROUTING_PROPERTY_SCALE to run more cases (for example 100 for a long local run).</summary>
    public static int Scale { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("CLUSTERROUTING_PROPERTY_SCALE"), out int scale) && scale > 0 ? scale : 1;

    public static Config Pinned(int maxTest, ulong seed = 0x5EED_C105UL, ulong gamma = 0x9E37_79B9_7F4A_7C15)
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(maxTest * Scale);
        return config.WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, gamma | 1UL), FSharpOption<int>.None)));
    }
}
