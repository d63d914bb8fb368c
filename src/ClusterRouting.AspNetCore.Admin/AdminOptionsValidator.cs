using Microsoft.Extensions.Options;

namespace ClusterRouting.Admin;

/// <summary>Checks the console's options, every problem at once, each naming its field.</summary>
internal sealed class AdminOptionsValidator : IValidateOptions<ClusterRoutingAdminOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterRoutingAdminOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        if (string.IsNullOrWhiteSpace(options.ChangePolicy))
        {
            result.AddError(
                "Name the authorization policy that guards changes (AddClusterRoutingAdmin(o => o.ChangePolicy = \"...\")): the console maps nothing anonymous.",
                nameof(ClusterRoutingAdminOptions.ChangePolicy));
        }

        if (options.ReadPolicy is not null && string.IsNullOrWhiteSpace(options.ReadPolicy))
        {
            result.AddError("The read policy's name is empty; leave it null to make reads require the change policy.", nameof(ClusterRoutingAdminOptions.ReadPolicy));
        }

        if (options.RefreshInterval < AdminDefaults.MinRefreshInterval || options.RefreshInterval > AdminDefaults.MaxRefreshInterval)
        {
            result.AddError(
                FormattableString.Invariant($"The refresh interval is {options.RefreshInterval}; it must be from {AdminDefaults.MinRefreshInterval} to {AdminDefaults.MaxRefreshInterval}."),
                nameof(ClusterRoutingAdminOptions.RefreshInterval));
        }

        return result.Build();
    }
}
