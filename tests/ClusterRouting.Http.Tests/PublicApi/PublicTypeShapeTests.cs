using System.Reflection;
using System.Runtime.CompilerServices;

namespace ClusterRouting.Http.Tests.PublicApi;

/// <summary>
/// The members of the HTTP package's public API are declared in src/ClusterRouting.Http/PublicAPI.*.txt and checked by
/// the public API analyzer. Those files do not record what kind each type is or what it derives from (an exception's
/// base class decides what a <c>catch</c> catches; the handler must stay a <see cref="DelegatingHandler"/>): this test
/// pins those, and only those.
/// </summary>
public class PublicTypeShapeTests
{
    private const string Expected = """
        sealed class ClusterRouting.Http.ClusterRoutingHandler : System.Net.Http.DelegatingHandler
        sealed class ClusterRouting.Http.ClusterRoutingHandlerOptions
        static class ClusterRouting.Http.ClusterRoutingHttpRequestMessageExtensions
        sealed class ClusterRouting.Http.HealthProbingOptions
        sealed class ClusterRouting.Http.MemberAddressMissingException : ClusterRouting.ClusterRoutingException
        sealed class ClusterRouting.Http.RequestNotReplayableException : ClusterRouting.ClusterRoutingException
        static class Microsoft.Extensions.DependencyInjection.ClusterRoutingHealthProbingBuilderExtensions
        static class Microsoft.Extensions.DependencyInjection.ClusterRoutingHttpClientBuilderExtensions
        """;

    [Fact]
    public void PublicTypes_KeepTheirKindBaseTypeAndInterfaces()
    {
        IEnumerable<string> actual = typeof(ClusterRoutingHandler).Assembly.GetExportedTypes()
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

        // Only the public interfaces the type adds (the handler implements an internal one).
        Type[] inherited = type.IsEnum ? type.GetInterfaces() : type.BaseType?.GetInterfaces() ?? [];
        bases.AddRange(type.GetInterfaces().Except(inherited).Where(i => i.IsPublic).Select(Name).Order(StringComparer.Ordinal));
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

    private static string Name(Type type) => type.FullName ?? type.Name;
}
