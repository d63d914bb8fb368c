using Microsoft.Extensions.Options;

namespace ClusterRouting;

/// <summary>
/// An options type of its own for validation at start: validating it validates every registered cluster's options
/// through the registry, so that no options monitor of <see cref="ClusterOptions"/> is ever created (one would
/// re-create and re-validate the options on every reload and throw into whoever triggered it).
/// </summary>
internal sealed class ClusterRoutingStartupValidation
{
    /// <summary>Validates <see cref="ClusterRoutingStartupValidation"/> by validating every cluster.</summary>
    internal sealed class Validator(ClusterRegistry registry) : IValidateOptions<ClusterRoutingStartupValidation>
    {
        public ValidateOptionsResult Validate(string? name, ClusterRoutingStartupValidation options)
        {
            List<string> problems = registry.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
