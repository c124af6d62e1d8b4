using System.Globalization;
using System.Numerics;
using Overparam.Architectures;
using Overparam.IO;
using Overparam.Training;

namespace Overparam.Experiments;

/// <summary>
/// A resumable point of a run, <c>checkpoint.safetensors</c> in its folder, written atomically after update k − 1 every
/// --checkpoint-every steps: the parameters θ(k) and the model's buffers (batch norm's running statistics) under their names, the optimizer's state under
/// <c>optimizer/NAME</c>, and as metadata the step k the run continues from, the batch of the stream it takes (batches
/// are a function of their index, <see cref="BatchPlan"/>), L(θ(0)), the seconds trained so far and the evaluation's
/// best test error.
/// </summary>
public sealed record Checkpoint(int NextStep, long NextBatch, double InitialLoss, double Seconds, double BestTestError, int BestTestErrorStep)
{
    public const string FileName = "checkpoint.safetensors";
    private const string OptimizerPrefix = "optimizer/";

    public void Write<T>(string directory, IModel<T> model, IOptimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensors = RunNetwork.StateTensors(model)
            .Concat(optimizer.SaveState().Select(t => Rename(t, OptimizerPrefix + t.Name))).ToList();
        SafeTensors.Write(Path.Combine(directory, FileName), tensors, new Dictionary<string, string>
        {
            ["next_step"] = NextStep.ToString(CultureInfo.InvariantCulture),
            ["next_batch"] = NextBatch.ToString(CultureInfo.InvariantCulture),
            ["initial_loss"] = InitialLoss.ToString("R", CultureInfo.InvariantCulture),
            ["seconds"] = Seconds.ToString("R", CultureInfo.InvariantCulture),
            ["best_test_error"] = BestTestError.ToString("R", CultureInfo.InvariantCulture),
            ["best_test_error_step"] = BestTestErrorStep.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = optimizer.Name,
        });
    }

    /// <summary>The checkpoint of a run folder: its metadata, the parameter tensors and the optimizer's state tensors.</summary>
    public static (Checkpoint Meta, IReadOnlyDictionary<string, Tensor> Parameters, IReadOnlyDictionary<string, Tensor> OptimizerState) Read(string directory)
    {
        string file = Path.Combine(directory, FileName);
        if (!File.Exists(file))
            throw new RunSpecException($"--resume {directory}: no {FileName}; only a run started with --checkpoint-every can be resumed");
        Dictionary<string, Tensor> tensors;
        Dictionary<string, string> meta;
        try { tensors = SafeTensors.Read(file, out meta); }
        catch (Exception e) when (e is IOException or InvalidDataException) { throw new RunSpecException($"{file}: {e.Message}", e); }
        double D(string key) => meta.TryGetValue(key, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
            : throw new RunSpecException($"{file}: metadata \"{key}\" is missing or not a number");
        var checkpoint = new Checkpoint((int)D("next_step"), (long)D("next_batch"), D("initial_loss"), D("seconds"), D("best_test_error"), (int)D("best_test_error_step"));
        var parameters = tensors.Where(kv => !kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).ToDictionary();
        var state = tensors.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[OptimizerPrefix.Length..], kv => Rename(kv.Value, kv.Key[OptimizerPrefix.Length..]));
        return (checkpoint, parameters, state);
    }

    private static Tensor Rename(Tensor t, string name) => t.DType == TensorDType.F64 ? Tensor.F64(name, t.Shape, t.Doubles!) : Tensor.F32(name, t.Shape, t.Floats!);
}
