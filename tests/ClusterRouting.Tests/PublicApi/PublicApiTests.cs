using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace ClusterRouting.Tests.PublicApi;

/// <summary>
/// The public API of the built assembly, listed by reflection, must equal the committed baseline, so that an
/// accidental change fails the build. After an intended change, run the tests with
/// CLUSTERROUTING_UPDATE_API_BASELINE=1 to rewrite the baseline, and review the diff.
/// </summary>
public class PublicApiTests
{
    private const string BaselineFile = "ClusterRouting.PublicApi.txt";

    [Fact]
    public void PublicApi_MatchesTheCommittedBaseline()
    {
        string actual = Describe(typeof(ClusterSelector).Assembly);

        // The baseline is copied next to the tests: CI builds map source paths (/_/), so the source folder is unknown there.
        string path = Path.Combine(AppContext.BaseDirectory, "PublicApi", BaselineFile);
        if (Environment.GetEnvironmentVariable("CLUSTERROUTING_UPDATE_API_BASELINE") == "1")
        {
            path = Path.Combine(SourceDirectory(), BaselineFile);
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"No baseline at {path}: run the tests with CLUSTERROUTING_UPDATE_API_BASELINE=1 to create it.");
        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Describe_ListsPublicMembersOnly()
    {
        string api = Describe(typeof(ClusterSelector).Assembly);

        Assert.Contains("public sealed class ClusterRouting.ClusterSelector", api, StringComparison.Ordinal);
        Assert.Contains("Boolean TrySelect(ClusterRouting.MemberLease ByRef, ClusterRouting.SelectionFailure ByRef)", api, StringComparison.Ordinal);
        Assert.DoesNotContain("ClusterSnapshot", api, StringComparison.Ordinal);
        Assert.DoesNotContain("Publish_NeedsLock", api, StringComparison.Ordinal);
    }

    internal static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append("public ").Append(Kind(type)).Append(' ').Append(Name(type));
            var bases = new List<string>();
            if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
            {
                bases.Add(Name(baseType));
            }

            // Only the interfaces the type adds: enums' and exceptions' inherited ones vary with the runtime.
            Type[] inherited = type.IsEnum ? type.GetInterfaces() : type.BaseType?.GetInterfaces() ?? [];
            bases.AddRange(type.GetInterfaces().Except(inherited).Select(Name).Order(StringComparer.Ordinal));
            if (bases.Count > 0)
            {
                text.Append(" : ").Append(string.Join(", ", bases));
            }

            text.Append('\n');
            const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            IEnumerable<string> members = type.GetMembers(Flags)
                .Where(IsVisible)
                .Select(Member)
                .Order(StringComparer.Ordinal);
            foreach (string member in members)
            {
                text.Append("  ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    private static string Kind(Type type) =>
        type.IsInterface ? "interface"
        : type.IsEnum ? "enum"
        : type.IsValueType ? (type.IsDefined(typeof(IsReadOnlyAttribute)) ? "readonly struct" : "struct")
        : type.IsAbstract && type.IsSealed ? "static class"
        : type.IsAbstract ? "abstract class"
        : type.IsSealed ? "sealed class"
        : "class";

    private static string Name(Type type) => type.IsGenericType
        ? $"{type.Namespace}.{type.Name}[{string.Join(", ", type.GetGenericArguments().Select(a => a.IsGenericParameter ? a.Name : Name(a)))}]"
        : type.FullName ?? type.Name;

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase method => (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly) && !(method.IsSpecialName && method is MethodInfo && (method.Name.StartsWith("get_", StringComparison.Ordinal) || method.Name.StartsWith("set_", StringComparison.Ordinal))),
        FieldInfo field => (field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly) && !field.IsSpecialName,
        PropertyInfo property => property.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        EventInfo @event => @event.AddMethod is { } add && (add.IsPublic || add.IsFamily),
        Type nested => nested.IsNestedPublic || nested.IsNestedFamily,
        _ => false,
    };

    private static string Member(MemberInfo member) => member switch
    {
        PropertyInfo property => $"{property} {{ {string.Join(" ", property.GetAccessors(nonPublic: true).Where(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly).Select(a => a.Name[..3]).Order(StringComparer.Ordinal))} }}",
        FieldInfo { IsLiteral: true } field => $"const {field} = {field.GetRawConstantValue()}",
        MethodBase method => (method.IsStatic ? "static " : string.Empty) + (method.IsAbstract ? "abstract " : method.IsVirtual && !method.IsFinal ? "virtual " : string.Empty) + method,
        _ => member.ToString() ?? member.Name,
    };
}
