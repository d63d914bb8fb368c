namespace ClusterRouting.Tool;

/// <summary>A plain-text table for a terminal: left-aligned columns (right-aligned where numeric), two spaces apart.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];
    private readonly bool[] _numeric = new bool[headers.Length];

    public TextTable RightAlign(params int[] columns)
    {
        foreach (int column in columns)
        {
            _numeric[column] = true;
        }

        return this;
    }

    public void Add(params string[] cells) => _rows.Add(cells);

    public void WriteTo(TextWriter writer)
    {
        int[] widths = headers.Select(header => header.Length).ToArray();
        foreach (string[] row in _rows)
        {
            for (int i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var cells = new string[widths.Length];
        foreach (string[] row in _rows.Prepend(headers))
        {
            for (int i = 0; i < widths.Length; i++)
            {
                cells[i] = _numeric[i] ? row[i].PadLeft(widths[i]) : row[i].PadRight(widths[i]);
            }

            // The last column's padding goes with the line's trailing spaces.
            writer.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
