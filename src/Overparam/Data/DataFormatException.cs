namespace Overparam.Data;

/// <summary>
/// A data file that cannot be used, with the place of the problem: the message reads
/// <c>FILE:LINE:COLUMN: what is wrong</c>, leaving out the parts that are unknown
/// (a missing file has no line; a ragged row has no column).
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>The file as the user named it.</summary>
    public string File { get; }

    /// <summary>1-based line (CSV) or record number (IDX), when the problem has one.</summary>
    public int? Line { get; }

    /// <summary>1-based column (CSV field), when the problem has one.</summary>
    public int? Column { get; }

    /// <summary>The description without the location prefix.</summary>
    public string Problem { get; }

    public DataFormatException(string file, int? line, int? column, string problem, Exception? inner = null)
        : base(Format(file, line, column, problem), inner)
    {
        File = file; Line = line; Column = column; Problem = problem;
    }

    /// <summary>A problem with the whole file.</summary>
    public DataFormatException(string file, string problem, Exception? inner = null) : this(file, null, null, problem, inner) { }

    private static string Format(string file, int? line, int? column, string problem)
    {
        string where = file;
        if (line is not null) where += $":{line}";
        if (line is not null && column is not null) where += $":{column}";
        return $"{where}: {problem}";
    }
}
