using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Overparam.Experiments;
using Overparam.Experiments.Sweeps;
using Overparam.Experiments.Sweeps.CriticalWidth;

namespace Overparam.Cli.Commands;

/// <summary>
/// `overparam critical-width`: for each (architecture, depth, n, activation), the smallest width at which GD reaches
/// the target loss within the step budget for at least a fraction of the seeds; bracketing then bisection on log-width,
/// every run recorded in OUT/results.db so reruns skip what is done.
/// </summary>
public static class CriticalWidthCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = "Architectures, comma list: fc,resnet", DefaultValueFactory = _ => "fc" };
        var depth = new Option<string>("--depth") { Description = "Depths H, comma list, e.g. 1,2,4", DefaultValueFactory = _ => "2" };
        var n = new Option<string>("--n") { Description = "Sample counts n, comma list, e.g. 8,16,32", DefaultValueFactory = _ => "16" };
        var d = new Option<int>("--d") { Description = "Input dimension d", DefaultValueFactory = _ => 16 };
        var activation = new Option<string>("--activation") { Description = "Activations, comma list", DefaultValueFactory = _ => "softplus" };
        var target = new Option<double>("--target-loss") { Description = "Loss to reach", DefaultValueFactory = _ => 1e-6 };
        var steps = new Option<int>("--steps") { Description = "Step budget per run", DefaultValueFactory = _ => 2000 };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per width (1 … K)", DefaultValueFactory = _ => 3 };
        var fraction = new Option<double>("--fraction") { Description = "Fraction of seeds that must reach the target", DefaultValueFactory = _ => 1.0 };
        var minWidth = new Option<int>("--min-width") { Description = "Smallest width tried (bracketing doubles from here)", DefaultValueFactory = _ => 2 };
        var maxWidth = new Option<int>("--max-width") { Description = "Largest width tried", DefaultValueFactory = _ => 4096 };
        var lrPolicy = new Option<string>("--lr-policy") { Description = "fixed | theory | stable (η = c/λ_max(G(0)))", DefaultValueFactory = _ => "stable" };
        var lr = new Option<double>("--lr") { Description = "η for --lr-policy fixed", DefaultValueFactory = _ => 0.05 };
        var lrConstant = new Option<double>("--lr-constant") { Description = "c of the theory and stable policies", DefaultValueFactory = _ => 1.0 };
        var train = new Option<string>("--train") { Description = "all | hidden | output | comma list of W1…WH, a", DefaultValueFactory = _ => "all" };
        var cRes = new Option<double>("--c-res") { Description = "ResNet c_res", DefaultValueFactory = _ => 0.5 };
        var outDir = new Option<string>("--out") { Description = "Folder (results.db, critical_width.csv/.md, exponents.csv, plots)", DefaultValueFactory = _ => "critical-width" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Worker processes for the seeds of one width", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "Threads per worker (default: cores / jobs)" };

        var command = new Command("critical-width", "Find the smallest width at which GD reaches the target loss (bracketing, then bisection on log-width)");
        foreach (var o in new Option[] { arch, depth, n, d, activation, target, steps, seeds, fraction, minWidth, maxWidth, lrPolicy, lr, lrConstant, train, cRes, outDir, jobs, threads })
            command.Options.Add(o);
        command.SetAction(r => SweepCommand.Guard(() =>
        {
            try { return Run(r); }
            catch (RunFailedException e)
            {
                // A failed run is not a run that missed the target: no m* can be given. Bad input is exit 2, any other failure 1.
                Console.Error.WriteLine("error: " + e.Message);
                return e.BadInput ? 2 : 1;
            }
        }));
        return command;

        int Run(ParseResult r)
        {
            var problems = new List<string>();
            var archs = Words(r.GetValue(arch)!, "--arch", "architecture", problems);
            var acts = Words(r.GetValue(activation)!, "--activation", "activation", problems);
            var depths = Ints(r.GetValue(depth)!, "--depth", problems);
            var ns = Ints(r.GetValue(n)!, "--n", problems);
            int k = r.GetValue(seeds), lo = r.GetValue(minWidth), hi = r.GetValue(maxWidth), nJobs = r.GetValue(jobs);
            double f = r.GetValue(fraction);
            if (k < 1) problems.Add($"--seeds {k}: must be at least 1");
            if (!(f > 0 && f <= 1)) problems.Add($"--fraction {f}: must be in (0, 1]");
            if (lo < 1 || hi < lo) problems.Add($"--min-width {lo} --max-width {hi}: need 1 ≤ min ≤ max");
            if (nJobs < 1) problems.Add($"--jobs {nJobs}: must be at least 1");
            var template = new RunSpec
            {
                D = r.GetValue(d), TargetLoss = r.GetValue(target), Steps = r.GetValue(steps), LrPolicy = r.GetValue(lrPolicy)!,
                Lr = r.GetValue(lr), LrConstant = r.GetValue(lrConstant), Train = r.GetValue(train)!, CRes = r.GetValue(cRes),
            };
            foreach (var (field, value) in new (string, object)[] { ("d", template.D), ("target_loss", template.TargetLoss), ("steps", template.Steps),
                         ("lr_policy", template.LrPolicy), ("lr", template.Lr), ("lr_constant", template.LrConstant), ("train", template.Train), ("c_res", template.CRes) })
                if (RunSpecFields.Check(field, System.Text.Json.JsonSerializer.SerializeToNode(value)).Error is { } err)
                    problems.Add($"--{field.Replace('_', '-')}: {err}");
            if (problems.Count > 0) throw new SweepSpecException("critical-width", problems);

            string dir = r.GetValue(outDir)!;
            var executor = CellExecutors.Create(nJobs, r.GetValue(threads), null);

            var cancel = CommonOptions.CtrlC();
            var clock = Stopwatch.StartNew();
            var results = new List<CriticalWidthResult>();
            using (var store = ResultStore.Open(dir))
            {
                store.SetMeta("kind", "critical-width");
                var search = new CriticalWidthSearch(template, k, f, lo, hi, store, executor, Console.WriteLine);
                foreach (string a in archs)
                    foreach (int h in depths)
                        foreach (int nn in ns)
                            foreach (string act in acts)
                            {
                                var res = search.Find(new CriticalWidthQuery(a, h, nn, act), cancel);
                                results.Add(res);
                                Console.WriteLine($"m*({a}, H={h}, n={nn}, {act}) = {CriticalWidthReport.MStarText(res)}");
                            }
            }
            string settings = string.Create(CultureInfo.InvariantCulture,
                $"Success at a width: the target loss {template.TargetLoss:G3} reached within {template.Steps} steps by at least {(int)Math.Ceiling(f * k - 1e-9)} of {k} seeds (--fraction {f:G3}); d = {template.D}, " +
                $"lr policy {template.LrPolicy} (c = {template.LrConstant:G3}, lr = {template.Lr:G3}), train {template.Train}, widths {lo} … {hi}.");
            foreach (var file in CriticalWidthReport.Write(results, dir, settings)) Console.WriteLine(file);
            Console.WriteLine($"{results.Count} critical widths in {clock.Elapsed.TotalSeconds:F1} s");
            return 0;
        }
    }

    private static List<string> Words(string text, string option, string field, List<string> problems)
    {
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (list.Count == 0) problems.Add($"{option}: empty list");
        foreach (var (w, i) in list.Select((w, i) => (w, i)))
            if (RunSpecFields.Check(field, w).Error is { } err) problems.Add($"{option}[{i}]: {err}");
        return list;
    }

    private static List<int> Ints(string text, string option, List<string> problems)
    {
        var list = new List<int>();
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) problems.Add($"{option}: empty list");
        for (int i = 0; i < parts.Length; i++)
            if (int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1) list.Add(v);
            else problems.Add($"{option}[{i}]: expected a positive integer, got \"{parts[i]}\"");
        return list;
    }
}
