using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.FSharp.Core;

namespace ClusterRouting.Tests.TestSupport;

/// <summary>FsCheck settings with a pinned seed, so CI runs the same cases every time.</summary>
internal static class PropertyConfig
{
    public const ulong Seed = 0x5EED_C105UL;

    public const ulong Gamma = 0x9E37_79B9_7F4A_7C15;

    /// <summary>Set CLUSTERROUTING_PROPERTY_SCALE to run more cases (for example 100 for a long local run).</summary>
    public static int Scale { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("CLUSTERROUTING_PROPERTY_SCALE"), out int scale) && scale > 0 ? scale : 1;

    /// <summary>The pinned seed as FsCheck.Xunit's <see cref="PropertyAttribute.Replay"/> reads it: "(seed,gamma)".</summary>
    public static string Replay { get; } = string.Create(CultureInfo.InvariantCulture, $"({Seed},{Gamma | 1UL})");

    public static Config Pinned(int maxTest, ulong seed = Seed, ulong gamma = Gamma)
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(maxTest * Scale);
        return config.WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, gamma | 1UL), FSharpOption<int>.None)));
    }
}

/// <summary>
/// An FsCheck.Xunit <see cref="PropertyAttribute"/> on the pinned seed of <see cref="PropertyConfig"/>, running
/// <c>maxTest</c> cases times CLUSTERROUTING_PROPERTY_SCALE. Attribute arguments must be constants, so the scale is
/// applied here: FsCheck.Xunit reads the configuration from the attribute instance, after this constructor ran.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class PinnedPropertyAttribute : PropertyAttribute
{
    public PinnedPropertyAttribute(int maxTest)
    {
        MaxTest = maxTest * PropertyConfig.Scale;
        Replay = PropertyConfig.Replay;
    }
}
