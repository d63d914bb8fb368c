using Microsoft.Extensions.Options;

namespace ClusterRouting.Http;

/// <summary>Checks <see cref="ClusterRoutingHandlerOptions"/> and reports every problem at once.</summary>
internal sealed class ClusterRoutingHandlerOptionsValidator : IValidateOptions<ClusterRoutingHandlerOptions>
{
    public static ClusterRoutingHandlerOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, ClusterRoutingHandlerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ValidateOptionsResultBuilder();
        string prefix = string.IsNullOrEmpty(name) ? string.Empty : $"HTTP client '{name}': ";
        if (options.MaxRefusalBodyBytes is < 0 or > HttpRoutingDefaults.MaxRefusalBodyBytesLimit)
        {
            result.AddError($"{prefix}{nameof(ClusterRoutingHandlerOptions.MaxRefusalBodyBytes)} is {options.MaxRefusalBodyBytes}; it must be between 0 and {HttpRoutingDefaults.MaxRefusalBodyBytesLimit}.");
        }

        if (options.AttemptTimeout is TimeSpan timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            result.AddError($"{prefix}{nameof(ClusterRoutingHandlerOptions.AttemptTimeout)} is {timeout}; it must be greater than zero, or null for none.");
        }

        if (options.MaxRefusalCoolDown <= TimeSpan.Zero)
        {
            result.AddError($"{prefix}{nameof(ClusterRoutingHandlerOptions.MaxRefusalCoolDown)} is {options.MaxRefusalCoolDown}; it must be greater than zero.");
        }

        return result.Build();
    }
}
