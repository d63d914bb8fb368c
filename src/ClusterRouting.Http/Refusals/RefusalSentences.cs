namespace ClusterRouting.Http;

/// <summary>
/// Finds the gateway's documented sentence for a limit in a refusal's body, word for word, wherever it stands (plain
/// text, a problem-details "detail", HTML). The apostrophes of "can't" and "it's" may come escaped by a JSON or HTML
/// encoder (<c>\u0027</c>, <c>&amp;#39;</c>) or typographic (U+2019): those are read as apostrophes.
/// </summary>
internal static class RefusalSentences
{
    private static readonly (string Sentence, ThrottleLimitKind Limit)[] Sentences =
    [
        (ClusterThrottledException.MessageFor(ThrottleLimitKind.Cpu), ThrottleLimitKind.Cpu),
        (ClusterThrottledException.MessageFor(ThrottleLimitKind.Memory), ThrottleLimitKind.Memory),
        (ClusterThrottledException.MessageFor(ThrottleLimitKind.Concurrency), ThrottleLimitKind.Concurrency),
    ];

    /// <summary>The limit whose sentence <paramref name="text"/> contains; the first in the text when several do.</summary>
    public static ThrottleLimitKind? Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string normalized = NormalizeApostrophes(text);
        ThrottleLimitKind? found = null;
        int at = int.MaxValue;
        foreach ((string sentence, ThrottleLimitKind limit) in Sentences)
        {
            int index = normalized.IndexOf(sentence, StringComparison.Ordinal);
            // Stryker disable once Equality : no two sentences start at the same place (none begins another), so on <= no later one replaces the first (the mark also covers the other comparisons here, which RefusalSentencesTests refute)
            if (index >= 0 && index < at)
            {
                at = index;
                found = limit;
            }
        }

        return found;
    }

    private static string NormalizeApostrophes(string text)
    {
        if (text.Contains('\\', StringComparison.Ordinal))
        {
            text = text.Replace("\\u0027", "'", StringComparison.OrdinalIgnoreCase);
        }

        if (text.Contains('&', StringComparison.Ordinal))
        {
            text = text.Replace("&#39;", "'", StringComparison.Ordinal)
                .Replace("&#x27;", "'", StringComparison.OrdinalIgnoreCase)
                .Replace("&apos;", "'", StringComparison.Ordinal);
        }

        return text.Replace('\u2019', '\'');
    }
}
