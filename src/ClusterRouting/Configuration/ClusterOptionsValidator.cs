using Microsoft.Extensions.Options;

namespace ClusterRouting;

/// <summary>
/// Validates every named <see cref="ClusterOptions"/>: the DataAnnotations ranges (through the generated validator)
/// and the cross-field rules, all reported at once, each message naming the cluster and the field. More than 10
/// members is not an error: the cluster logs a warning and keeps operating.
/// </summary>
internal sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        Guard.NotNull(options);
        List<string> errors = ClusterOptionsValidation.Validate(name ?? Options.DefaultName, options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
