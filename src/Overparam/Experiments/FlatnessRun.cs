using System.Globalization;
using System.Text;
using Overparam.Architectures;
using Overparam.IO;
using Overparam.Measures;
using Overparam.Numerics;
using Overparam.Reports;

namespace Overparam.Experiments;

/// <summary>
/// The local energy (<see cref="LocalEnergy"/>) of a network saved in a run folder (`overparam flatness`): its weights
/// (init, final or replica-K), the data it trained on (data.safetensors) and its loss, evaluated in float64. The energy
/// is the training error (docs/mathematics.md §11.1's), the training loss, or the test error or loss (runs with a test set). The
/// result goes into the folder as NAME.csv (sigma, mean, standard_error: δE and its standard error over the draws) and a
/// plot NAME-plot.png/.svg/.csv, NAME being "flatness", then "-WEIGHTS" unless the weights are final and "-MEASURE"
/// unless the energy is the training error; an existing NAME.csv is replaced only when asked.
/// </summary>
public static class FlatnessRun
{
    public static readonly IReadOnlyList<string> Energies = ["train-error", "train-loss", "test-error", "test-loss"];

    /// <summary>One measurement: the folder, the weights, the energy and how to perturb.</summary>
    public sealed record Request(string Run, string Weights, string Energy, LocalEnergyOptions Options);

    /// <summary>E(w) and δE(w, σ) of the request; bad input is a <see cref="RunSpecException"/>.</summary>
    public static LocalEnergyCurve Measure(Request request)
    {
        if (!Energies.Contains(request.Energy)) throw new RunSpecException($"--energy {request.Energy}: expected {Choices.Or(Energies)}");
        var saved = RunFolder.Open(request.Run);
        var (train, test) = saved.DataSplit();
        int classes = (int)(saved.Resolved["classes"]?.GetValue<int>() ?? 0);
        var config = RunNetwork.Config(saved.Spec, train, classes);
        var tensors = saved.Weights(request.Weights);
        var weights = RunNetwork.FromTensors<double>(tensors, config, $"{request.Run}/{request.Weights}.safetensors");
        var buffers = RunNetwork.BuffersFromTensors<double>(tensors, config, $"{request.Run}/{request.Weights}.safetensors");
        var loss = RunTraining.Loss(saved.Spec, config.Outputs);
        bool onTest = request.Energy.StartsWith("test", StringComparison.Ordinal), isError = request.Energy.EndsWith("error", StringComparison.Ordinal);
        var set = onTest ? test ?? throw new RunSpecException($"--energy {request.Energy}: the run in {request.Run} has no test set") : train;
        if (isError && !DataScore.HasError(config.Outputs, set.Y))
            throw new RunSpecException($"--energy {request.Energy}: the run's labels are real values, so it has no classification error; use --energy {(onTest ? "test" : "train")}-loss");
        var y = set.Y;
        Func<IModel<double>, double> energy = isError
            ? m => DataScore.Evaluate(m, loss, set.X, y).Error
            : m => DataScore.Evaluate(m, loss, set.X, y).Loss;
        try { return LocalEnergy.Measure(weights, p => NetworkFactory.Create(config, p, buffers), energy, request.Options); }
        catch (ArgumentException e) { throw new RunSpecException(e.Message); }
    }

    /// <summary>NAME of the files: flatness[-WEIGHTS][-ENERGY].</summary>
    public static string Name(string weights, string energy) =>
        "flatness" + (weights == "final" ? "" : "-" + weights) + (energy == "train-error" ? "" : "-" + energy);

    /// <summary>Refuses to replace an existing NAME.csv unless <paramref name="overwrite"/> (checked before measuring).</summary>
    public static void CheckTarget(string run, string name, bool overwrite)
    {
        string file = Path.Combine(run, name + ".csv");
        if (File.Exists(file) && !overwrite)
            throw new RunSpecException($"{file} exists (an earlier measurement); pass --overwrite to replace it");
    }

    /// <summary>Writes NAME.csv and the plot into the run folder; returns the CSV's path.</summary>
    public static string Write(string run, string name, LocalEnergyCurve curve, string weights, string energy)
    {
        string file = WriteCsv(run, name, curve);
        double[] sigma = curve.Points.Select(p => p.Sigma).ToArray(), mean = curve.Points.Select(p => p.Mean).ToArray();
        double[] se = curve.Points.Select(p => double.IsNaN(p.StandardError) ? 0 : p.StandardError).ToArray();
        PlotRenderer.Render(new PlotSpec
        {
            Title = $"Local energy of the {weights} weights ({energy} {curve.Energy:G4} at σ = 0)",
            XLabel = "σ (multiplicative noise w ⊙ (1 + σξ))",
            YLabel = $"δE ({energy})",
            Series =
            [
                new Series("δE", sigma, mean),
                new Series("δE + standard error", sigma, mean.Zip(se, (m, s) => m + s).ToArray(), SeriesStyle.Dashed),
                new Series("δE − standard error", sigma, mean.Zip(se, (m, s) => m - s).ToArray(), SeriesStyle.Dashed),
            ],
        }, run, name + "-plot");
        return file;
    }

    /// <summary>Writes NAME.csv only (no plot); returns its path.</summary>
    public static string WriteCsv(string run, string name, LocalEnergyCurve curve)
    {
        var csv = new StringBuilder("sigma,mean,standard_error\n");
        foreach (var p in curve.Points)
            csv.Append(CultureInfo.InvariantCulture, $"{ReportFormat.RoundTrip(p.Sigma)},{ReportFormat.RoundTrip(p.Mean)},{ReportFormat.RoundTrip(p.StandardError)}\n");
        string file = Path.Combine(run, name + ".csv");
        AtomicFile.WriteAllText(file, csv.ToString());
        return file;
    }
}
