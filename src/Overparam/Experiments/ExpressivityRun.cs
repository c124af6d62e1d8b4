using System.Diagnostics;
using System.Text.Json.Nodes;
using Overparam.Architectures;
using Overparam.IO;
using Overparam.Measures;
using Overparam.Numerics;

namespace Overparam.Experiments;

/// <summary>
/// The expressivity condition of a network saved in a run folder (`overparam expressivity`): its weights (init, final,
/// replica-K, or checkpoint: the parameters of checkpoint.safetensors, a step during training), the training set it
/// trained on (data.safetensors), in float64. The block is "features" (Φ of the last hidden layer, n × m; n × m·p for the
/// conv net: the condition rank Φ = n) or, as the general form, parameters named as --train names them (output, hidden,
/// all, or a list such as W3,a): the Jacobian ∂f_X/∂θ_S of the n·C outputs, whose condition is rank = n·C. The result goes
/// into the folder as NAME.json, NAME being "expressivity", then "-WEIGHTS" unless final and "-BLOCK" unless features.
/// </summary>
public static class ExpressivityRun
{
    public const string FeaturesBlock = "features";

    /// <summary>One measurement: the folder, the weights and the block.</summary>
    public sealed record Request(string Run, string Weights, string Block = FeaturesBlock);

    /// <summary>What was measured, on what, and how long the SVD took.</summary>
    public sealed record Measurement(ExpressivityResult Result, string Matrix, double SvdSeconds);

    /// <summary>The measurement of the request; bad input is a <see cref="RunSpecException"/>.</summary>
    public static Measurement Measure(Request request)
    {
        var saved = RunFolder.Open(request.Run);
        var (train, _) = saved.DataSplit();
        int classes = (int)(saved.Resolved["classes"]?.GetValue<int>() ?? 0);
        var config = RunNetwork.Config(saved.Spec, train, classes);
        var tensors = request.Weights == "checkpoint" ? Checkpointed(request.Run) : saved.Weights(request.Weights);
        var model = RunNetwork.Network<double>(tensors, config, $"{request.Run}/{request.Weights}.safetensors");   // batch norm, if any, in evaluation mode
        Matrix<double> m;
        string what;
        if (request.Block == FeaturesBlock)
        {
            if (model is not IFeatureModel<double>) throw new RunSpecException($"--block features: the {config.Architecture.Name} network does not expose its last hidden layer's features");
            m = Expressivity.Features(model, train.X);
            what = $"features Φ of the last hidden layer ({m.Rows} × {m.Cols})";
        }
        else
        {
            var block = RunNetwork.Trained(saved.Spec with { Train = request.Block }, config);
            m = Expressivity.Jacobian(model, train.X, block);
            what = $"Jacobian ∂f_X/∂θ_S of the {m.Rows} outputs w.r.t. {string.Join(", ", model.Parameters.Where((_, i) => block[i]).Select(p => p.Name))} ({m.Rows} × {m.Cols})";
        }
        var clock = Stopwatch.StartNew();
        var result = Expressivity.Measure(m);
        return new Measurement(result, what, clock.Elapsed.TotalSeconds);
    }

    private static IReadOnlyDictionary<string, Tensor> Checkpointed(string run)
    {
        if (!File.Exists(Path.Combine(run, Checkpoint.FileName)))
            throw new RunSpecException($"--weights checkpoint: {run} has no {Checkpoint.FileName} (runs write one with --checkpoint-every)");
        return Checkpoint.Read(run).Parameters;
    }

    /// <summary>NAME of the file: expressivity[-WEIGHTS][-BLOCK] (a block list's commas become '+').</summary>
    public static string Name(string weights, string block) =>
        "expressivity" + (weights == "final" ? "" : "-" + weights) + (block == FeaturesBlock ? "" : "-" + block.Replace(',', '+'));

    /// <summary>Writes NAME.json into the run folder; returns its path.</summary>
    public static string Write(Request request, Measurement m)
    {
        var r = m.Result;
        var json = new JsonObject
        {
            ["weights"] = request.Weights,
            ["block"] = request.Block,
            ["matrix"] = m.Matrix,
            ["rows"] = r.Rows,
            ["cols"] = r.Cols,
            ["rank"] = r.Rank,
            ["sigma_min"] = r.SigmaMin,
            ["sigma_max"] = r.SigmaMax,
            ["kappa"] = double.IsFinite(r.Kappa) ? r.Kappa : null,
            ["tolerance"] = r.Tolerance,
            ["tolerance_rule"] = "sigma_max * max(rows, cols) * 2^-52",
            ["condition_holds"] = r.Holds,
            ["svd_seconds"] = m.SvdSeconds,
        };
        string file = Path.Combine(request.Run, Name(request.Weights, request.Block) + ".json");
        AtomicFile.WriteAllText(file, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        return file;
    }
}
