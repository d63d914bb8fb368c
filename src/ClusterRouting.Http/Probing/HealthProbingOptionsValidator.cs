using Microsoft.Extensions.Options;

namespace ClusterRouting.Http;

/// <summary>Validates <see cref="HealthProbingOptions"/>: every problem at once, each naming its field.</summary>
internal sealed class HealthProbingOptionsValidator : IValidateOptions<HealthProbingOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthProbingOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path) || Uri.TryCreate(options.Path, UriKind.Absolute, out Uri? absolute) && absolute.Scheme is "http" or "https")
        {
            problems.Add($"HealthProbingOptions.Path must be a path relative to each member's address; it is '{options.Path}'.");
        }

        RequirePositive(problems, nameof(HealthProbingOptions.Interval), options.Interval);
        RequirePositive(problems, nameof(HealthProbingOptions.UnhealthyInterval), options.UnhealthyInterval);
        RequirePositive(problems, nameof(HealthProbingOptions.Timeout), options.Timeout);
        if (options.UnhealthyThreshold < 1)
        {
            problems.Add($"HealthProbingOptions.UnhealthyThreshold must be at least 1; it is {options.UnhealthyThreshold}.");
        }

        if (double.IsNaN(options.Jitter) || options.Jitter < 0 || options.Jitter > 0.5)
        {
            problems.Add($"HealthProbingOptions.Jitter must be from 0 to 0.5; it is {options.Jitter}.");
        }

        for (int i = 0; i < options.Clusters.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Clusters[i]))
            {
                problems.Add($"HealthProbingOptions.Clusters[{i}] must name a cluster.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void RequirePositive(List<string> problems, string field, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value == System.Threading.Timeout.InfiniteTimeSpan)
        {
            problems.Add($"HealthProbingOptions.{field} must be greater than zero and finite; it is {value}.");
        }
    }
}
