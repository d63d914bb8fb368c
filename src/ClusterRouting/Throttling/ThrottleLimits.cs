namespace ClusterRouting;

/// <summary>
/// The one table of what each kind of limit means: the rejection reason it gives a member, its metric tag, the
/// gateway's sentence when it stops every member, and how a rejection for it reads in an error message.
/// </summary>
internal static class ThrottleLimits
{
    private const string CpuMessage = "The gateway you selected can't establish data source connections because it's exceeded the CPU limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";
    private const string MemoryMessage = "The gateway you selected can't establish data source connections because it's exceeded the memory limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";
    private const string ConcurrencyMessage = "The gateway you selected can't establish data source connections because it's exceeded the concurrency limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";

    // Indexed by ThrottleLimitKind: Cpu, Memory, Concurrency, Custom.
    private static readonly Entry[] s_entries =
    [
        new(MemberRejectionReason.CpuLimit, "cpu", CpuMessage, "over its CPU limit"),
        new(MemberRejectionReason.MemoryLimit, "memory", MemoryMessage, "over its memory limit"),
        new(MemberRejectionReason.ConcurrencyLimit, "concurrency", ConcurrencyMessage, "at its concurrent operation limit"),
        new(MemberRejectionReason.PolicyLimit, "custom", null, "throttled by a custom policy"),
    ];

    /// <summary>Whether a member may refuse an operation for <paramref name="kind"/>: CPU, memory or concurrency.</summary>
    public static bool IsRefusable(ThrottleLimitKind kind) => kind is ThrottleLimitKind.Cpu or ThrottleLimitKind.Memory or ThrottleLimitKind.Concurrency;

    public static MemberRejectionReason ReasonFor(ThrottleLimitKind kind) => EntryOf(kind).Reason;

    /// <summary>The limit a throttling reason stands for; <see cref="ThrottleLimitKind.Custom"/> for a policy (or any other reason).</summary>
    public static ThrottleLimitKind KindOf(MemberRejectionReason reason)
    {
        int index = IndexOf(reason);
        return index < 0 ? ThrottleLimitKind.Custom : (ThrottleLimitKind)index;
    }

    /// <summary>The value of the <c>limit</c> tag on <c>cluster_routing.throttled_selections</c>.</summary>
    public static string TagOf(ThrottleLimitKind kind) => EntryOf(kind).Tag;

    /// <summary>The gateway's sentence for <paramref name="kind"/>, word for word; a custom policy's names the policy.</summary>
    public static string MessageFor(ThrottleLimitKind kind, string? policyName) =>
        EntryOf(kind).Message
        ?? $"The gateway you selected can't establish data source connections because it's exceeded the {policyName ?? "custom"} limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";

    /// <summary>How a member's rejection reads in <see cref="NoMemberAvailableException"/>'s message.</summary>
    public static string Describe(MemberRejectionReason reason) => reason switch
    {
        MemberRejectionReason.Disabled => "disabled",
        MemberRejectionReason.Probing => "its probe after an offline penalty is still out",
        MemberRejectionReason.Offline => "offline: it is penalized, and the one operation it takes meanwhile is out",
        _ => IndexOf(reason) is int index and >= 0 ? s_entries[index].Text : reason.ToString(),
    };

    private static int IndexOf(MemberRejectionReason reason)
    {
        for (int i = 0; i < s_entries.Length; i++)
        {
            if (s_entries[i].Reason == reason)
            {
                return i;
            }
        }

        return -1;
    }

    private static Entry EntryOf(ThrottleLimitKind kind) => (uint)kind < (uint)s_entries.Length ? s_entries[(int)kind] : s_entries[(int)ThrottleLimitKind.Custom];

    private sealed record Entry(MemberRejectionReason Reason, string Tag, string? Message, string Text);
}
