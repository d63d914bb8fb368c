namespace ClusterRouting.AspNetCore;

/// <summary>Endpoint metadata: requests to this endpoint pass the member's limits and are not counted in flight.</summary>
internal sealed class DisableMemberLimitsMetadata
{
    public static readonly DisableMemberLimitsMetadata Instance = new();

    private DisableMemberLimitsMetadata()
    {
    }
}
