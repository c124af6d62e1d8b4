namespace Overparam.Experiments;

/// <summary>A set of metrics.csv columns measured at every step, after the step's forward and backward pass and before its update.</summary>
internal interface IMetricsProbe
{
    IReadOnlyList<string> Columns { get; }

    void Measure(Dictionary<string, double> row);
}
