namespace Overparam.Reports;

/// <summary>A plain table of text cells with a header row, e.g. required vs. observed width per depth.</summary>
public sealed record ReportTable
{
    public ReportTable(string[] header, string[][] rows, string caption = "")
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        for (int i = 0; i < rows.Length; i++)
            if (rows[i].Length != header.Length)
                throw new ArgumentException($"Table row {i} has {rows[i].Length} cells but the header has {header.Length}.");
        Header = header;
        Rows = rows;
        Caption = caption;
    }

    /// <summary>Column titles.</summary>
    public string[] Header { get; }

    /// <summary>Rows of cells, each as long as <see cref="Header"/>.</summary>
    public string[][] Rows { get; }

    /// <summary>Optional caption shown above the table.</summary>
    public string Caption { get; }
}
