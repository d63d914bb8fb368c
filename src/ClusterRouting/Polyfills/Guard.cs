using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>Argument checks that name the argument, on every target framework (netstandard2.0 lacks the BCL's throw helpers).</summary>
internal static class Guard
{
    public static void NotNull([NotNull] object? value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        if (value is null)
        {
            throw new ArgumentNullException(paramName);
        }
    }

    public static void NotNullOrWhiteSpace([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        NotNull(value, paramName);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("The value cannot be an empty string or composed entirely of whitespace.", paramName);
        }
    }

    public static void AtLeast(int value, int minimum, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} ('{value}') must be greater than or equal to '{minimum}'.");
        }
    }

    /// <summary>A utilization percentage: 0 to 100, not NaN.</summary>
    public static void Percentage(double value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        if (double.IsNaN(value) || value < 0 || value > 100)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "A utilization percentage must be between 0 and 100.");
        }
    }

    public static bool IsDefined<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
#if NET
        Enum.IsDefined(value);
#else
        Enum.IsDefined(typeof(TEnum), value);
#endif
}
