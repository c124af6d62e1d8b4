using System.Text.Json.Nodes;
using Overparam.Experiments;

namespace Overparam.Bench.Cases;

/// <summary>
/// Issue 12's accuracy check (optional, `--only classifier-accuracy`): the classifier (<see cref="Classifier"/>,
/// float32) trained 10 epochs by us (RunExecutor, test error on the 10k test set at the end) and by
/// bench/torch_classifier.py from the same init.safetensors and data.safetensors (its own shuffles); both test errors
/// and their difference in percentage points. About two minutes a side.
/// </summary>
public sealed class ClassifierAccuracyCase : IBenchCase
{
    public const int Epochs = 10;
    public string Name => "classifier-accuracy";
    public IReadOnlyCollection<string> Tags => [Name];
    public bool Optional => true;

    public void Run(BenchContext ctx)
    {
        if (!Classifier.DataAvailable) { ctx.Add(new Row(Name, "10 epochs", "skipped", "", "", "Fashion-MNIST not installed")); return; }
        var spec = Classifier.Spec("float32", Epochs, evalEvery: Epochs, quick: ctx.Options.Quick);
        string root = Classifier.ScratchRoot(), dir = Path.Combine(root, "accuracy");
        try
        {
            var o = Classifier.Run(spec, dir);
            double ours = o.Final[MetricColumns.TestError];
            var json = new JsonObject { ["epochs"] = Epochs, ["dtype"] = "float32", ["ours_test_error"] = ours, ["ours_seconds"] = o.Seconds };
            Console.WriteLine($"    ours: test error {ours:P2} after {Epochs} epochs ({o.Seconds:F1} s)");
            string torchNote;
            double? theirs = null;
            if (ctx.Options.NoTorch) torchNote = "torch skipped: --no-torch";
            else if (TorchRunner.TryCreate(ctx.Options, out var why) is not { } torch) torchNote = "torch skipped: " + why;
            else
            {
                var t = torch.RunBenchScript("torch_classifier.py",
                    ["--run", dir, "--mode", "accuracy", "--epochs", Epochs.ToString(), "--dtype", "float32", "--threads", ctx.Options.Threads.ToString()],
                    TimeSpan.FromMinutes(30), new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "PASSIVE" });   // its fast configuration; the result does not depend on it
                theirs = (double)t["test_error"]!;
                json["torch_test_error"] = theirs; json["torch_seconds"] = (double)t["seconds"]!;
                json["difference_pp"] = 100 * (ours - theirs.Value);
                torchNote = $"torch {theirs:P2} ({(double)t["seconds"]!:F1} s): ours − torch = {100 * (ours - theirs.Value):+0.00;-0.00} pp";
            }
            ctx.Add(new Row(Name, $"test error after {Epochs} epochs (float32)", $"{o.Seconds:F1} s", "", $"ours {ours:P2}", torchNote));
            ctx.Record(Name, json);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }
}
