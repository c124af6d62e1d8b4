namespace Overparam.Experiments;

/// <summary>Extra metrics.csv columns that a run adds when asked (the expressivity probe, the two-phase rule's state).</summary>
internal interface IMetricsSource
{
    IReadOnlyList<string> Columns { get; }

    /// <summary>Whether the step of <paramref name="epoch"/> gets values (call once per step, in order).</summary>
    bool Due(int epoch, bool isLast);

    void Measure(Dictionary<string, double> row);
}
