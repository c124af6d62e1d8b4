using System.Numerics;
using Overparam.Architectures;
using Overparam.Training.Optimizers;

namespace Overparam.Experiments;

/// <summary>
/// Connectivity at every step (docs/mathematics.md §16.4): the fraction of prunable weights with |w| ≥ 1e-10, over the
/// prunable weights (connectivity) and over all parameters (connectivity_all), per parameter (connectivity_NAME), and
/// with a pruning optimizer its cumulative pruned_NAME and regrown_NAME counts. Prunable: what the optimizer prunes, or
/// every parameter but the biases.
/// </summary>
internal sealed class ConnectivityProbe<T> : IMetricsProbe where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The threshold of the authors' connectivity count.</summary>
    public const double Threshold = 1e-10;

    private readonly IModel<T> model;
    private readonly IPruning? pruning;
    private readonly bool[] prunable;

    public ConnectivityProbe(IModel<T> model, IPruning? pruning)
    {
        this.model = model;
        this.pruning = pruning;
        var ps = model.Parameters;
        prunable = ps.Select((p, i) => pruning?.Prunes(i, p.Name) ?? !NetworkFactory.IsBias(p.Name)).ToArray();
        var columns = new List<string> { MetricColumns.Connectivity, MetricColumns.ConnectivityAll };
        for (int p = 0; p < ps.Count; p++)
        {
            if (!prunable[p]) continue;
            columns.Add(MetricColumns.LayerConnectivity(ps[p].Name));
            if (pruning is not null) { columns.Add(MetricColumns.Pruned(ps[p].Name)); columns.Add(MetricColumns.Regrown(ps[p].Name)); }
        }
        Columns = columns;
    }

    public IReadOnlyList<string> Columns { get; }

    public void Measure(Dictionary<string, double> row)
    {
        var ps = model.Parameters;
        T threshold = T.CreateTruncating(Threshold);
        long connected = 0, prunableCount = 0, all = 0, connectedAll = 0;
        for (int p = 0; p < ps.Count; p++)
        {
            long c = 0;
            foreach (var v in ps[p].Value) if (T.Abs(v) >= threshold) c++;
            all += ps[p].Value.Length; connectedAll += c;
            if (!prunable[p]) continue;
            prunableCount += ps[p].Value.Length; connected += c;
            row[MetricColumns.LayerConnectivity(ps[p].Name)] = (double)c / ps[p].Value.Length;
            if (pruning is null) continue;
            var (cut, grown) = pruning.Events(p);
            row[MetricColumns.Pruned(ps[p].Name)] = cut;
            row[MetricColumns.Regrown(ps[p].Name)] = grown;
        }
        row[MetricColumns.Connectivity] = prunableCount == 0 ? double.NaN : (double)connected / prunableCount;
        row[MetricColumns.ConnectivityAll] = (double)connectedAll / all;
    }
}
