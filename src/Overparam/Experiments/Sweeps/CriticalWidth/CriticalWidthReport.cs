using System.Globalization;
using System.Text;
using Overparam.Reports;
using static Overparam.Reports.ReportFormat;

namespace Overparam.Experiments.Sweeps.CriticalWidth;

/// <summary>
/// Writes the critical-width results: <c>critical_width.csv</c> (one row per query, every width tried),
/// <c>exponents.csv</c> and <c>critical_width.md</c> with the fitted scalings next to the theorems' (docs/mathematics.md §6), and plots
/// of m* vs depth (fc and resnet on one plot) and m* vs n (log–log, with the fitted line).
/// </summary>
/// <remarks>
/// Theorems' first width terms: fc m = Ω(2^{O(H)} n⁴/λ₀⁴) (Theorem 5.1), resnet m = Ω(n⁴/(λ₀⁴H⁶)) (Theorem 6.1, eq. 9).
/// So the n-exponent is 4 for both (λ₀ held fixed); in depth, fc is exponential (2^{O(H)}) and resnet polynomial
/// (H² once λ₀ ∼ 1/H², the paper's "m ≳ n⁴H²"). These are sufficient widths, upper bounds on m*.
/// </remarks>
public static class CriticalWidthReport
{
    public const double TheoremNExponent = 4;

    /// <summary>A fitted scaling of m*: against n (log–log slope) or depth (log–log slope and log₂ m* per layer).</summary>
    public sealed record Exponent(string Against, string Group, int Points, double Slope, double SlopeStdError, double? Log2PerLayer, string Theorem);

    public static IReadOnlyList<Exponent> Fit(IReadOnlyList<CriticalWidthResult> results)
    {
        var found = results.Where(r => r.MStar is not null).ToArray();
        var list = new List<Exponent>();
        foreach (var g in found.GroupBy(r => (r.Query.Architecture, r.Query.Depth, r.Query.Activation)))
        {
            var fit = LogLogFit.TryFit(g.Select(r => (double)r.Query.N).ToArray(), g.Select(r => (double)r.MStar!.Value).ToArray());
            if (fit is null) continue;
            list.Add(new Exponent("n", $"{g.Key.Architecture} H={g.Key.Depth} {g.Key.Activation}", fit.Count, fit.Slope, fit.SlopeStdError, null,
                "n^4 (first term, λ₀ fixed)"));
        }
        foreach (var g in found.GroupBy(r => (r.Query.Architecture, r.Query.N, r.Query.Activation)))
        {
            var h = g.Select(r => (double)r.Query.Depth).ToArray();
            var m = g.Select(r => (double)r.MStar!.Value).ToArray();
            var fit = LogLogFit.TryFit(h, m);
            if (fit is null) continue;
            list.Add(new Exponent("depth", $"{g.Key.Architecture} n={g.Key.N} {g.Key.Activation}", fit.Count, fit.Slope, fit.SlopeStdError,
                SemiLogSlope(h, m.Select(Math.Log2).ToArray()),
                Architectures.Architecture.Parse(g.Key.Architecture).WidthTheorem));
        }
        return list;
    }

    /// <returns>Files written.</returns>
    public static IReadOnlyList<string> Write(IReadOnlyList<CriticalWidthResult> results, string directory, string settings)
    {
        var folder = new SummaryFolder(directory);
        var exponents = Fit(results);

        var csv = new StringBuilder("architecture,depth,n,activation,m_star,status,widths_tried\n");
        foreach (var r in results)
            csv.AppendLine(string.Join(",", r.Query.Architecture, I(r.Query.Depth), I(r.Query.N), r.Query.Activation,
                r.MStar is int m ? I(m) : "", Status(r.Status), string.Join(";", r.Evaluations.Select(e => $"{e.Width}:{e.Converged}/{e.Seeds}"))));
        folder.Save("critical_width.csv", csv.ToString());

        var ecsv = new StringBuilder("against,group,points,loglog_slope,slope_stderr,log2_mstar_per_layer,theorem\n");
        foreach (var e in exponents)
            ecsv.AppendLine(string.Join(",", e.Against, e.Group, I(e.Points), RoundTripOrEmpty(e.Slope), RoundTripOrEmpty(e.SlopeStdError),
                e.Log2PerLayer is double s ? RoundTripOrEmpty(s) : "", CsvField(e.Theorem)));
        folder.Save("exponents.csv", ecsv.ToString());

        var md = new StringBuilder();
        md.AppendLine("# Critical width m*");
        md.AppendLine();
        md.AppendLine(settings);
        md.AppendLine();
        md.AppendLine("| architecture | depth | n | activation | m* | widths tried (converged/seeds) |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var r in results)
            md.AppendLine($"| {r.Query.Architecture} | {r.Query.Depth} | {r.Query.N} | {r.Query.Activation} | {MStarText(r)} | " +
                          string.Join(", ", r.Evaluations.OrderBy(e => e.Width).Select(e => $"{e.Width}: {e.Converged}/{e.Seeds}")) + " |");
        md.AppendLine();
        md.AppendLine("## Fitted scalings vs the theorems (docs/mathematics.md §6)");
        md.AppendLine();
        md.AppendLine("The theorems give sufficient widths: fc m = Ω(2^{O(H)} n⁴/λ₀⁴ …) (Theorem 5.1), resnet m = Ω(n⁴/(λ₀⁴H⁶) …) " +
                      "(Theorem 6.1). Fits are least squares on log m* (only queries where m* was found).");
        md.AppendLine();
        if (exponents.Count == 0) md.AppendLine("(too few points for a fit: vary n or depth over at least two values)");
        else
        {
            md.AppendLine("| m* against | group | points | log–log slope | log₂ m* per layer | theorem |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var e in exponents)
                md.AppendLine($"| {e.Against} | {e.Group} | {e.Points} | {TwoDecimals(e.Slope)}{(double.IsFinite(e.SlopeStdError) ? $" ± {TwoDecimals(e.SlopeStdError)}" : "")} | " +
                              $"{(e.Log2PerLayer is double s ? TwoDecimals(s) : "")} | {e.Theorem} |");
        }

        foreach (var plot in Plots(results, exponents)) folder.AddPlot(plot, md);
        folder.Save("critical_width.md", md.ToString());
        return folder.Written;
    }

    private static IEnumerable<PlotSpec> Plots(IReadOnlyList<CriticalWidthResult> results, IReadOnlyList<Exponent> exponents)
    {
        var found = results.Where(r => r.MStar is not null).ToArray();
        var byDepth = found.GroupBy(r => $"{r.Query.Architecture} n={r.Query.N} {r.Query.Activation}")
            .Where(g => g.Select(r => r.Query.Depth).Distinct().Count() > 1)
            .Select(g => Series(g.Key, g.Select(r => ((double)r.Query.Depth, (double)r.MStar!.Value)))).ToArray();
        if (byDepth.Length > 0)
            yield return new PlotSpec
            {
                Title = "critical width m* vs depth H", XLabel = "depth H", YLabel = "m*", LogY = true, Series = byDepth,
                XTicks = byDepth.SelectMany(x => x.X).Distinct().Order().ToArray(),
                Name = "mstar_vs_depth", Caption = "m* vs depth; fc (theorem: 2^O(H)) and resnet (theorem: polynomial in H) on one plot",
            };
        var byN = found.GroupBy(r => $"{r.Query.Architecture} H={r.Query.Depth} {r.Query.Activation}")
            .Where(g => g.Select(r => r.Query.N).Distinct().Count() > 1).ToArray();
        if (byN.Length > 0)
        {
            var fit = byN.Length == 1 ? LogLogFit.TryFit(byN[0].Select(r => (double)r.Query.N).ToArray(), byN[0].Select(r => (double)r.MStar!.Value).ToArray()) : null;
            yield return new PlotSpec
            {
                Title = "critical width m* vs n", XLabel = "n (samples)", YLabel = "m*", LogX = true, LogY = true,
                Series = byN.Select(g => Series(g.Key, g.Select(r => ((double)r.Query.N, (double)r.MStar!.Value)))).ToArray(),
                XTicks = byN.SelectMany(g => g.Select(r => (double)r.Query.N)).Distinct().Order().ToArray(),
                Fit = fit is null ? null : FittedLine.From(fit, TheoremNExponent),
                Name = "mstar_vs_n", Caption = "m* vs n, log–log; the theorems' first term scales as n^4",
            };
        }
    }

    private static Series Series(string name, IEnumerable<(double X, double Y)> points)
    {
        var p = points.OrderBy(t => t.X).ToArray();
        return new Series(name, p.Select(t => t.X).ToArray(), p.Select(t => t.Y).ToArray());
    }

    /// <summary>Least-squares slope of y against x.</summary>
    private static double SemiLogSlope(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        return x.Zip(y).Sum(t => (t.First - mx) * (t.Second - my)) / x.Sum(v => (v - mx) * (v - mx));
    }

    public static string MStarText(CriticalWidthResult r) => r.Status switch
    {
        BisectionStatus.Found => I(r.MStar!.Value),
        BisectionStatus.AtMinimum => $"≤ {r.MStar}",
        BisectionStatus.NonMonotone => "not determined: success not monotone in m",
        _ => $"> {r.Evaluations.Max(e => e.Width)}",
    };

    private static string Status(BisectionStatus s) => s switch
    {
        BisectionStatus.Found => "found",
        BisectionStatus.AtMinimum => "at_min",
        BisectionStatus.NonMonotone => "non_monotone",
        _ => "above_max",
    };

    private static string I(int x) => x.ToString(CultureInfo.InvariantCulture);
    private static string TwoDecimals(double x) => x.ToString("F2", CultureInfo.InvariantCulture);
}
