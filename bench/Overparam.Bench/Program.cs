using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Overparam.Architectures;
using Overparam.Bench;
using Overparam.Bench.Cases;
using Overparam.Numerics;

BenchOptions options;
try { options = BenchOptions.Parse(args); }
catch (ArgumentException e) { Console.Error.WriteLine(e.Message); return 2; }

// The cases, in run order. Add new ones here (each is a small class in Cases/).
IBenchCase[] cases =
[
    new GemmPeakCase<double>(),
    new GemmPeakCase<float>(),
    new GdStepCase<double>("fc"),
    new GdStepCase<float>("fc"),
    new GdStepCase<double>("resnet"),
    new GdStepCase<float>("resnet"),
    new GdStepCase<double>("convresnet"),
    new GramCase(),
    new ElementwiseCase(),
    new TorchComparisonCase<double>("fc"),
    new TorchComparisonCase<double>("resnet"),
    new TorchComparisonCase<double>("convresnet"),
    new KernelCase(),
    new ClassifierEpochCase<float>(),
    new ClassifierEpochCase<double>(),
    new ClassifierAccuracyCase(),
    new CrosspropCase(),
    new FlatMinimaStepCase(),
    new FlatnessCase(),
    new ExpressivityCase(),
    new BatchNormCase(),
];

if (options.List)
{
    foreach (var c in cases) Console.WriteLine($"{c.Name,-24} tags: {string.Join(", ", c.Tags)}{(c.Optional ? " (optional: only with --only)" : "")}");
    return 0;
}

var selected = cases.Where(c => options.Only.Count == 0 ? !c.Optional : c.Tags.Any(options.Only.Contains)).ToList();
if (selected.Count == 0) { Console.Error.WriteLine($"--only {string.Join(",", options.Only)} matches no case (try --list)"); return 2; }
if (selected.Any(c => c.NeedsPeak))
    foreach (var peak in cases.Where(c => c.Tags.Contains("peak")).Reverse())
        if (!selected.Contains(peak)) selected.Insert(0, peak);

var real = LinearAlgebra.Backend;
var blas = new CountingBackend(real);
LinearAlgebra.Backend = blas;
blas.Threads = options.Threads;
Chunks.Threads = options.Threads;

var ctx = new BenchContext(options, blas);
var started = DateTime.UtcNow;
Console.WriteLine($"Overparam.Bench — {started:yyyy-MM-dd HH:mm} UTC, backend {real.Name} ({real.CoreType}), " +
                  $"threads {options.Threads} (BLAS reports {blas.Threads}), {Environment.ProcessorCount} cores, {(options.Quick ? "quick" : "full")} sizes");
foreach (var c in selected)
{
    Console.WriteLine($"[{c.Name}]");
    try { c.Run(ctx); }
    catch (Exception e)
    {
        Console.WriteLine($"  {c.Name} failed: {e.GetType().Name}: {e.Message}");
        ctx.Record(c.Name, new JsonObject { ["error"] = e.Message });
    }
    GC.Collect();
}

// Markdown table.
var md = new StringBuilder();
md.AppendLine();
md.AppendLine($"Overparam bench, {started:yyyy-MM-dd HH:mm} UTC, {CpuName()} ({Environment.ProcessorCount} cores), {real.Name} core {real.CoreType}, threads {options.Threads}, {(options.Quick ? "quick" : "full")} sizes");
md.AppendLine();
md.AppendLine("| case | what | time min / median / max | work | rate | note |");
md.AppendLine("|---|---|---|---|---|---|");
foreach (var r in ctx.Rows)
    md.AppendLine("| " + string.Join(" | ", new[] { r.Case, r.What.Trim(), r.Time, r.Work, r.Rate, r.Note }.Select(c => c.Replace("|", "\\|"))) + " |");
foreach (var note in ctx.Notes) md.AppendLine($"\nnote: {note}");
Console.Write(md);

var root = new JsonObject
{
    ["date_utc"] = started.ToString("yyyy-MM-ddTHH:mm:ssZ"),
    ["machine"] = new JsonObject
    {
        ["cpu"] = CpuName(), ["cores"] = Environment.ProcessorCount, ["threads"] = options.Threads,
        ["backend"] = real.Name, ["openblas_core"] = real.CoreType, ["dotnet"] = Environment.Version.ToString(),
    },
    ["quick"] = options.Quick,
    ["sizes"] = JsonSerializer.SerializeToNode(ctx.Sizes),
    ["results"] = ctx.Results,
    ["notes"] = new JsonArray(ctx.Notes.Select(n => (JsonNode)n!).ToArray()),
};
var outPath = options.Output ?? Path.Combine(FindBenchDir(), "results", options.Quick ? "quick.json" : "latest.json");
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
File.WriteAllText(outPath, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
Console.WriteLine($"\nwrote {outPath}");
return 0;

static string CpuName()
{
    try
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"));
        return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
    }
    catch (IOException) { return "unknown CPU"; }
}

// bench/ from the working directory (repo root or bench/), else the current directory.
static string FindBenchDir()
{
    foreach (var candidate in new[] { "bench", "." })
        if (File.Exists(Path.Combine(candidate, "torch_step.py"))) return candidate;
    return ".";
}
