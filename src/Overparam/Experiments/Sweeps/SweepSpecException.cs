namespace Overparam.Experiments.Sweeps;

/// <summary>A sweep specification that cannot be used, with every problem found (each prefixed by its path).</summary>
public sealed class SweepSpecException(string source, IReadOnlyList<string> problems)
    : Exception($"{source}: {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:\n  " + string.Join("\n  ", problems))
{
    /// <summary>The file (or other source) the specification came from.</summary>
    public string SpecSource { get; } = source;

    /// <summary>Every problem, e.g. <c>grid.width[2]: expected a positive integer, got "abc"</c>.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
