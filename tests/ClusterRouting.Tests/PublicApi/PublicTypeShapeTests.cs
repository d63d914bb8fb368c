using System.Reflection;
using System.Runtime.CompilerServices;

namespace ClusterRouting.Tests.PublicApi;

/// <summary>
/// The members of the public API are declared in src/ClusterRouting/PublicAPI.*.txt and checked by the public API
/// analyzer at build time. Those files do not record what kind each type is or what it derives from: sealing or
/// unsealing a class, changing an exception's base class (which changes what a <c>catch</c> catches) or dropping
/// <see cref="IDisposable"/> from <see cref="MemberLease"/> builds cleanly. This test pins those, and only those.
/// </summary>
public class PublicTypeShapeTests
{
    private const string Expected = """
        sealed class ClusterRouting.AllMembersFailedException : ClusterRouting.ClusterRoutingException
        enum ClusterRouting.AttemptOutcome
        sealed class ClusterRouting.ClusterCapacityExceededException : ClusterRouting.ClusterRoutingException
        static class ClusterRouting.ClusterLimits
        sealed class ClusterRouting.ClusterMemberOptions
        static class ClusterRouting.ClusterMemberProtocol
        sealed class ClusterRouting.ClusterOptions
        abstract class ClusterRouting.ClusterRoutingException : System.Exception
        static class ClusterRouting.ClusterRoutingTelemetry
        sealed class ClusterRouting.ClusterSelector : ClusterRouting.IClusterAdministration, ClusterRouting.IClusterSelector, System.IDisposable
        sealed class ClusterRouting.ClusterStatus
        sealed class ClusterRouting.ClusterThrottledException : ClusterRouting.NoMemberAvailableException
        interface ClusterRouting.IClusterAdministration
        interface ClusterRouting.IClusterRoutingBuilder
        interface ClusterRouting.IClusterSelector
        interface ClusterRouting.IClusterSelectorProvider
        sealed class ClusterRouting.MemberAttempt
        enum ClusterRouting.MemberHealth
        readonly struct ClusterRouting.MemberLease : System.IDisposable
        readonly struct ClusterRouting.MemberLoad
        sealed class ClusterRouting.MemberOfflineException : ClusterRouting.ClusterRoutingException
        readonly struct ClusterRouting.MemberProbeResult : System.IEquatable<ClusterRouting.MemberProbeResult>
        sealed class ClusterRouting.MemberRefusedException : ClusterRouting.ClusterRoutingException
        readonly struct ClusterRouting.MemberRejection : System.IEquatable<ClusterRouting.MemberRejection>
        enum ClusterRouting.MemberRejectionReason
        sealed class ClusterRouting.MemberStatus
        class ClusterRouting.NoMemberAvailableException : ClusterRouting.ClusterRoutingException
        sealed class ClusterRouting.PrimaryUnavailableException : ClusterRouting.NoMemberAvailableException
        abstract class ClusterRouting.RandomSource
        readonly struct ClusterRouting.SelectionFailure
        enum ClusterRouting.SelectionMode
        readonly struct ClusterRouting.ThrottleDecision : System.IEquatable<ClusterRouting.ThrottleDecision>
        enum ClusterRouting.ThrottleLimitKind
        abstract class ClusterRouting.ThrottlePolicy
        enum ClusterRouting.ThrottlePolicyFailureMode
        static class Microsoft.Extensions.DependencyInjection.ClusterRoutingServiceCollectionExtensions
        """;

    [Fact]
    public void PublicTypes_KeepTheirKindBaseTypeAndInterfaces()
    {
        IEnumerable<string> actual = typeof(ClusterSelector).Assembly.GetExportedTypes()
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(Shape);

        Assert.Equal(Expected.ReplaceLineEndings("\n"), string.Join("\n", actual));
    }

    private static string Shape(Type type)
    {
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
        {
            bases.Add(Name(baseType));
        }

        // Only the interfaces the type adds: enums' and exceptions' inherited ones vary with the runtime.
        Type[] inherited = type.IsEnum ? type.GetInterfaces() : type.BaseType?.GetInterfaces() ?? [];
        bases.AddRange(type.GetInterfaces().Except(inherited).Select(Name).Order(StringComparer.Ordinal));
        string shape = $"{Kind(type)} {Name(type)}";
        return bases.Count == 0 ? shape : $"{shape} : {string.Join(", ", bases)}";
    }

    private static string Kind(Type type) =>
        type.IsInterface ? "interface"
        : type.IsEnum ? "enum"
        : type.IsValueType ? (type.IsDefined(typeof(IsReadOnlyAttribute)) ? "readonly struct" : "struct")
        : type.IsAbstract && type.IsSealed ? "static class"
        : type.IsAbstract ? "abstract class"
        : type.IsSealed ? "sealed class"
        : "class";

    private static string Name(Type type) => type.IsGenericType
        ? $"{type.Namespace}.{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(a => a.IsGenericParameter ? a.Name : Name(a)))}>"
        : type.FullName ?? type.Name;
}
