// Checks the README packed into each package: present, and with no relative link (a relative link points nowhere
// on a package feed).
using System.IO.Compression;
using System.Text.RegularExpressions;

internal static partial class PackageReadmeChecks
{
    public static void Run(string packageFolder, Action<bool, string> check)
    {
        string[] packages = Directory.GetFiles(packageFolder, "*.nupkg");
        check(packages.Length > 0, $"readme: packages found in {packageFolder}");
        foreach (string package in packages)
        {
            string name = Path.GetFileName(package);
            using ZipArchive archive = ZipFile.OpenRead(package);
            ZipArchiveEntry? readme = archive.GetEntry("README.md");
            check(readme is not null, $"readme: {name} packs a README.md");
            if (readme is null)
            {
                continue;
            }

            using var reader = new StreamReader(readme.Open());
            string text = reader.ReadToEnd();
            string[] relative = Links().Matches(text).Select(m => m.Groups["target"].Value)
                .Where(target => !target.StartsWith("https://", StringComparison.Ordinal) && !target.StartsWith("http://", StringComparison.Ordinal))
                .ToArray();
            check(relative.Length == 0, $"readme: {name} has no relative links{(relative.Length == 0 ? string.Empty : ": " + string.Join(", ", relative))}");
            check(text.Contains("# ", StringComparison.Ordinal) && text.Length > 200, $"readme: {name} describes the package");
        }
    }

    // Markdown links and images, [text](target) and ![alt](target), and reference definitions, [id]: target.
    [GeneratedRegex(@"\]\((?<target>[^)\s]+)[^)]*\)|^\s*\[[^\]]+\]:\s*(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex Links();
}
