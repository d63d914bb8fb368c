using Microsoft.Extensions.Options;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// Validates <see cref="MemberLimitsOptions"/>: the DataAnnotations ranges (through the generated validator) and the
/// cross-field rules, every problem at once, each message naming the field and the value it had.
/// </summary>
internal sealed class MemberLimitsOptionsValidator : IValidateOptions<MemberLimitsOptions>
{
    private static readonly MemberLimitsOptionsRangeValidator s_ranges = new();

    public ValidateOptionsResult Validate(string? name, MemberLimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(s_ranges.Validate(name, options));

        if (string.IsNullOrWhiteSpace(options.Id))
        {
            builder.AddError("must not be empty or whitespace.", nameof(MemberLimitsOptions.Id));
        }

        // Range does not reject NaN: a threshold that no average can reach would silently turn the limit off.
        if (double.IsNaN(options.CPUUtilizationPercentageThreshold))
        {
            builder.AddError("must be a number from 0 to 100 (was NaN).", nameof(MemberLimitsOptions.CPUUtilizationPercentageThreshold));
        }

        if (double.IsNaN(options.MemoryUtilizationPercentageThreshold))
        {
            builder.AddError("must be a number from 0 to 100 (was NaN).", nameof(MemberLimitsOptions.MemoryUtilizationPercentageThreshold));
        }

        if (options.SamplingInterval <= TimeSpan.Zero)
        {
            builder.AddError($"must be greater than zero (was {options.SamplingInterval}).", nameof(MemberLimitsOptions.SamplingInterval));
        }
        else if (options.ResourceUtilizationAggregationTimeInMinutes >= 1
            && options.SamplingInterval > TimeSpan.FromMinutes(options.ResourceUtilizationAggregationTimeInMinutes))
        {
            builder.AddError(
                $"must be at most ResourceUtilizationAggregationTimeInMinutes (was {options.SamplingInterval}, window {options.ResourceUtilizationAggregationTimeInMinutes} min).",
                nameof(MemberLimitsOptions.SamplingInterval));
        }

        return builder.Build();
    }
}
