using Microsoft.Extensions.Options;

namespace ClusterRouting.AspNetCore;

/// <summary>Checks the DataAnnotations ranges of <see cref="MemberLimitsOptions"/>; generated at build time, so no reflection.</summary>
[OptionsValidator]
internal sealed partial class MemberLimitsOptionsRangeValidator : IValidateOptions<MemberLimitsOptions>
{
}
