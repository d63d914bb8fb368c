using Microsoft.Extensions.Options;

namespace ClusterRouting;

/// <summary>Checks the DataAnnotations ranges of <see cref="ClusterOptions"/>; generated at build time, so no reflection.</summary>
[OptionsValidator]
internal sealed partial class ClusterOptionsRangeValidator : IValidateOptions<ClusterOptions>
{
}
