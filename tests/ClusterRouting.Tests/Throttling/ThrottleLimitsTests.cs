using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Throttling;

/// <summary>
/// <see cref="ThrottleLimits"/> on its own: the one table of what each kind of limit means (reason, metric tag, the
/// gateway's sentence, the text in error messages), its inverse, and a sane fallback for values outside the enum.
/// </summary>
public class ThrottleLimitsTests
{
    public static TheoryData<ThrottleLimitKind, MemberRejectionReason, string> Table => new()
    {
        { ThrottleLimitKind.Cpu, MemberRejectionReason.CpuLimit, "cpu" },
        { ThrottleLimitKind.Memory, MemberRejectionReason.MemoryLimit, "memory" },
        { ThrottleLimitKind.Concurrency, MemberRejectionReason.ConcurrencyLimit, "concurrency" },
        { ThrottleLimitKind.Custom, MemberRejectionReason.PolicyLimit, "custom" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void ReasonForAndTagOf_EachKind_MapAsTheTableSays(ThrottleLimitKind kind, MemberRejectionReason reason, string tag)
    {
        Assert.Equal(reason, ThrottleLimits.ReasonFor(kind));
        Assert.Equal(tag, ThrottleLimits.TagOf(kind));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void KindOf_EachKindsReason_GivesTheKindBack(ThrottleLimitKind kind, MemberRejectionReason reason, string tag)
    {
        _ = tag;
        Assert.Equal(kind, ThrottleLimits.KindOf(reason));
        Assert.Equal(kind, ThrottleLimits.KindOf(ThrottleLimits.ReasonFor(kind)));
    }

    [Theory]
    [InlineData(MemberRejectionReason.None)]
    [InlineData(MemberRejectionReason.Disabled)]
    [InlineData(MemberRejectionReason.Probing)]
    [InlineData((MemberRejectionReason)99)]
    public void KindOf_ReasonOfNoLimit_IsCustom(MemberRejectionReason reason)
    {
        Assert.Equal(ThrottleLimitKind.Custom, ThrottleLimits.KindOf(reason));
    }

    [Theory]
    [InlineData(ThrottleLimitKind.Cpu, GatewayMessages.Cpu)]
    [InlineData(ThrottleLimitKind.Memory, GatewayMessages.Memory)]
    [InlineData(ThrottleLimitKind.Concurrency, GatewayMessages.Concurrency)]
    public void MessageFor_BuiltInKind_IsTheDocumentedSentence_WhateverThePolicyName(ThrottleLimitKind kind, string documented)
    {
        Assert.Equal(documented, ThrottleLimits.MessageFor(kind, policyName: null));
        Assert.Equal(documented, ThrottleLimits.MessageFor(kind, policyName: "ignored"));
    }

    [Fact]
    public void MessageFor_Custom_NamesThePolicyInTheDocumentedSentence()
    {
        string expected = GatewayMessages.Cpu.Replace("the CPU limit", "the tenant-quota limit", StringComparison.Ordinal);

        Assert.Equal(expected, ThrottleLimits.MessageFor(ThrottleLimitKind.Custom, "tenant-quota"));
    }

    [Fact]
    public void MessageFor_CustomWithoutAName_SaysCustom()
    {
        string expected = GatewayMessages.Cpu.Replace("the CPU limit", "the custom limit", StringComparison.Ordinal);

        Assert.Equal(expected, ThrottleLimits.MessageFor(ThrottleLimitKind.Custom, null));
    }

    [Theory]
    [InlineData(MemberRejectionReason.Disabled, "disabled")]
    [InlineData(MemberRejectionReason.Probing, "its probe after an offline penalty is still out")]
    [InlineData(MemberRejectionReason.Offline, "offline: it is penalized, and the one operation it takes meanwhile is out")]
    [InlineData(MemberRejectionReason.CpuLimit, "over its CPU limit")]
    [InlineData(MemberRejectionReason.MemoryLimit, "over its memory limit")]
    [InlineData(MemberRejectionReason.ConcurrencyLimit, "at its concurrent operation limit")]
    [InlineData(MemberRejectionReason.PolicyLimit, "throttled by a custom policy")]
    [InlineData(MemberRejectionReason.None, "None")]
    [InlineData((MemberRejectionReason)99, "99")]
    public void Describe_EachReason_ReadsAsDocumented(MemberRejectionReason reason, string text)
    {
        Assert.Equal(text, ThrottleLimits.Describe(reason));
    }

    [Theory]
    [InlineData(ThrottleLimitKind.Cpu, true)]
    [InlineData(ThrottleLimitKind.Memory, true)]
    [InlineData(ThrottleLimitKind.Concurrency, true)]
    [InlineData(ThrottleLimitKind.Custom, false)]
    [InlineData((ThrottleLimitKind)4, false)]
    [InlineData((ThrottleLimitKind)(-1), false)]
    public void IsRefusable_OnlyTheMembersOwnLimits(ThrottleLimitKind kind, bool refusable)
    {
        Assert.Equal(refusable, ThrottleLimits.IsRefusable(kind));
    }

    [Theory]
    [InlineData((ThrottleLimitKind)4)]
    [InlineData((ThrottleLimitKind)(-1))]
    [InlineData((ThrottleLimitKind)int.MaxValue)]
    [InlineData((ThrottleLimitKind)int.MinValue)]
    public void UndefinedKind_FallsBackToCustom(ThrottleLimitKind kind)
    {
        Assert.Equal(MemberRejectionReason.PolicyLimit, ThrottleLimits.ReasonFor(kind));
        Assert.Equal("custom", ThrottleLimits.TagOf(kind));
        Assert.Equal(ThrottleLimits.MessageFor(ThrottleLimitKind.Custom, "p"), ThrottleLimits.MessageFor(kind, "p"));
    }

    [Fact]
    public void Table_CoversEveryDefinedKind()
    {
        ThrottleLimitKind[] kinds = Enum.GetValues<ThrottleLimitKind>();

        Assert.Equal(4, kinds.Length);
        Assert.Equal(kinds.Length, kinds.Select(ThrottleLimits.TagOf).Distinct().Count());
        Assert.Equal(kinds.Length, kinds.Select(ThrottleLimits.ReasonFor).Distinct().Count());
    }
}
