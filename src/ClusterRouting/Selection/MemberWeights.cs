namespace ClusterRouting;

/// <summary>
/// The range of <see cref="ClusterMemberOptions.Weight"/>. 1 to 100: the architecture guide sizes gateway machines from
/// 4 to 16 cores, a spread of 4; HAProxy allows 0 to 256 and Envoy up to 128 for a locality. A weight of 0 would be a
/// member that takes nothing: disable it instead. The bound also keeps <see cref="Candidate.Capacity"/> under 2^31.
/// </summary>
internal static class MemberWeights
{
    public const int Default = 1;

    public const int Min = 1;

    public const int Max = 100;

    public static bool IsValid(int weight) => weight is >= Min and <= Max;
}
