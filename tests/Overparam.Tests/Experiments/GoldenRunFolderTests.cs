using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Overparam.Experiments;
using Overparam.IO;
using Overparam.Numerics;
using Overparam.Tests.Cli;

namespace Overparam.Tests.Experiments;

/// <summary>
/// Golden run folders: what <see cref="RunExecutor.Execute"/> (the code behind `overparam train`) wrote for five small
/// runs before the training-loop refactor, frozen under tests/Overparam.Tests/Golden/&lt;case&gt;/, so that later code
/// can prove it writes the same bits.
///
/// Each case folder holds config.json without its "environment" object, summary.json without "seconds",
/// metrics.csv without the "seconds" column (wall-clock time), data/init/final.safetensors as written, and
/// machine.json: the BLAS backend and core type, processor count, Vector512 acceleration, CPU model and git commit
/// of the code and machine that produced them. Runs use one BLAS thread and one element-wise thread.
///
/// Comparison. On the machine that produced the files (same BLAS core type, Vector512 flag and CPU model) every file
/// must match byte for byte. On another CPU OpenBLAS picks other kernels and .NET other vector widths, which changes
/// the last bits of sums; the test then runs in cross-machine mode: text exactly, numbers (metrics.csv, the JSON files,
/// safetensors values) to relative <see cref="Float64Tolerance"/> (<see cref="Float32Tolerance"/> for the float32 run).
/// OVERPARAM_GOLDEN_CROSS_MACHINE=1 forces cross-machine mode.
///
/// Regenerating (only when the change of output is intended, from a clean checkout, and say so in the commit):
///   OVERPARAM_REGENERATE_GOLDEN=1 dotnet test tests/Overparam.Tests -c Release --filter "FullyQualifiedName~Golden"
/// The theory then calls <see cref="Regenerate"/> for its case and writes into the source folder
/// tests/Overparam.Tests/Golden (not the copy in bin/) instead of comparing, and passes. Rebuild afterwards so the
/// copy in the output folder is refreshed.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class GoldenRunFolderTests
{
    public const string RegenerateVariable = "OVERPARAM_REGENERATE_GOLDEN";
    public const string CrossMachineVariable = "OVERPARAM_GOLDEN_CROSS_MACHINE";

    // Measured on the generating machine with other kernels (OPENBLAS_CORETYPE=SkylakeX, OVERPARAM_BLAS=managed,
    // DOTNET_EnableAVX512=0): float64 runs differ by at most 8e-13 (relative, any value of any file), the float32 run
    // by at most 3e-5.
    /// <summary>Relative tolerance of float64 runs in cross-machine mode.</summary>
    public const double Float64Tolerance = 1e-9;
    /// <summary>Relative tolerance of the float32 run in cross-machine mode (float32 sums differ from the 7th digit on).</summary>
    public const double Float32Tolerance = 1e-3;
    /// <summary>Numbers printed inside text (η's "how", with 6 significant digits) in cross-machine mode.</summary>
    private const double PrintedTolerance = 1e-5;

    private static readonly RunSpec Fc = new()
    {
        Architecture = "fc", Depth = 2, Width = 64, Activation = "tanh", N = 8, D = 4,
        LrPolicy = "stable", Steps = 40, ProbeEvery = 10, Seed = 3,
    };

    public static readonly IReadOnlyList<(string Name, RunSpec Spec)> Cases =
    [
        ("fc", Fc),
        // λ₀ of this net is about 5e-5, so the theory policy needs a large c for the loss to fall (32.5 → 12.5).
        ("resnet", new RunSpec
        {
            Architecture = "resnet", Depth = 3, Width = 64, Activation = "softplus", N = 8, D = 4,
            LrPolicy = "theory", LrConstant = 200, Steps = 40, ProbeEvery = 10, Seed = 4,
        }),
        ("convresnet", new RunSpec
        {
            Architecture = "convresnet", Depth = 2, Width = 32, Activation = "tanh", N = 6, D0 = 2, P = 4, KernelSize = 3,
            LrPolicy = "stable", Steps = 30, ProbeEvery = 10, Seed = 5,
        }),
        ("fc-float32", Fc with { DType = "float32", ProbeEvery = 0 }),
        ("fc-train-output", Fc with { Train = "output", LrPolicy = "fixed", Lr = 0.05, Steps = 20 }),
    ];

    public static TheoryData<string> CaseNames => new(Cases.Select(c => c.Name));

    private static RunSpec Spec(string name) => Cases.Single(c => c.Name == name).Spec;

    /// <summary>The files of a run folder, in the order they are compared.</summary>
    public static readonly string[] RunFiles =
        ["config.json", "summary.json", "metrics.csv", "data.safetensors", "init.safetensors", "final.safetensors"];

    // ---------------------------------------------------------------------------------------------------------------
    // The test.

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void RunFolder_IsTheGoldenOne(string name)
    {
        if (Environment.GetEnvironmentVariable(RegenerateVariable) == "1")
        {
            RegenerateCase(SourceGoldenDirectory(), name);
            return;
        }

        var golden = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        Assert.True(File.Exists(Path.Combine(golden, "machine.json")),
            $"no golden folder {golden}: generate it with {RegenerateVariable}=1 (see the class comment)");
        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(golden, "machine.json")))!.AsObject();
        var current = Machine();
        bool exact = Environment.GetEnvironmentVariable(CrossMachineVariable) != "1"
            && new[] { "blas_core_type", "vector512_hardware_accelerated", "cpu_model" }
                .All(k => JsonNode.DeepEquals(recorded[k], current[k]));

        using var tmp = new TempDirectory("overparam-golden-");
        var run = tmp.File("run");
        RunCase(name, run);

        var written = Directory.GetFiles(run).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(RunFiles.Order(StringComparer.Ordinal), written);
        var actual = Normalized(run);
        var expected = RunFiles.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(golden, f)));

        double tolerance = Spec(name).DType == "float32" ? Float32Tolerance : Float64Tolerance;
        var differences = new List<string>();
        foreach (var file in RunFiles)
        {
            if (exact)
            {
                if (!expected[file].AsSpan().SequenceEqual(actual[file]))
                {
                    // Say where, and whether the change is only in the last bits.
                    var first = FirstDifference(file, expected[file], actual[file]);
                    var beyond = Compare(file, expected[file], actual[file], tolerance);
                    differences.Add($"{file}: not bit-identical ({first}); " + (beyond.Count == 0
                        ? $"all within relative {tolerance:G2}"
                        : $"{beyond.Count} difference(s) beyond relative {tolerance:G2}" + (beyond[0].Contains(first) ? "" : ", first: " + beyond[0])));
                }
            }
            else differences.AddRange(Compare(file, expected[file], actual[file], tolerance));
        }

        string mode = exact
            ? $"exact mode (same machine as the golden files: {Describe(current)}): every file byte for byte"
            : $"CROSS-MACHINE mode{(Environment.GetEnvironmentVariable(CrossMachineVariable) == "1" ? $" (forced by {CrossMachineVariable}=1)" : "")} "
              + $"(golden files from {Describe(recorded)}, this machine {Describe(current)}): "
              + $"text exactly, numbers to relative {tolerance:G2}";
        Assert.True(differences.Count == 0,
            $"case {name}, {mode}; golden commit {recorded["git_commit"]}:\n  " + string.Join("\n  ", differences.Take(20))
            + (differences.Count > 20 ? $"\n  … and {differences.Count - 20} more" : ""));
    }

    /// <summary>The tolerant comparison accepts the golden files themselves and rejects those of another run (fc trained
    /// with the output layer only: same data and start, other training).</summary>
    [Fact]
    public void CrossMachineComparison_AcceptsTheSameFiles_RejectsAnotherRun()
    {
        string fc = Path.Combine(AppContext.BaseDirectory, "Golden", "fc"), other = Path.Combine(AppContext.BaseDirectory, "Golden", "fc-train-output");
        foreach (var file in RunFiles)
        {
            var a = File.ReadAllBytes(Path.Combine(fc, file));
            Assert.Empty(Compare(file, a, a, Float64Tolerance));
            var b = File.ReadAllBytes(Path.Combine(other, file));
            if (file is "data.safetensors" or "init.safetensors") Assert.Equal(a, b);   // same seed: same data, same start
            else Assert.NotEmpty(Compare(file, a, b, Float64Tolerance));
        }
        // A change in the 8th digit of one loss is caught; one in the 12th is not.
        var csv = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(fc, "metrics.csv")));
        var row = csv.Split('\n')[5].Split(',');
        double loss = CliHarness.D(row[1]);
        foreach (var (factor, caught) in new[] { (1 + 1e-8, true), (1 + 1e-12, false) })
        {
            var changed = csv.Replace(string.Join(",", row), string.Join(",", row.Select((v, i) => i == 1 ? (loss * factor).ToString("R", CultureInfo.InvariantCulture) : v)));
            Assert.NotEqual(csv, changed);
            Assert.Equal(caught, Compare("metrics.csv", Encoding.UTF8.GetBytes(csv), Encoding.UTF8.GetBytes(changed), Float64Tolerance).Count > 0);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Running a case and normalizing its folder.

    /// <summary>Runs a case into <paramref name="outDir"/> as `overparam train --threads 1` does.</summary>
    private static void RunCase(string name, string outDir)
    {
        var backend = LinearAlgebra.Backend;
        int blasThreads = backend.Threads, chunkThreads = Chunks.Threads;
        backend.Threads = 1;
        Chunks.Threads = 1;
        try
        {
            var outcome = RunExecutor.Execute(Spec(name), outDir, warningsTo: TextWriter.Null);
            Assert.True(outcome.Status is Overparam.Training.TrainingStatus.Converged or Overparam.Training.TrainingStatus.BudgetExhausted, $"case {name}: {outcome.Status} {outcome.Message}");
        }
        finally
        {
            backend.Threads = blasThreads;
            Chunks.Threads = chunkThreads;
        }
    }

    /// <summary>The files of a run folder as stored in a golden folder: wall-clock and environment fields removed.</summary>
    public static Dictionary<string, byte[]> Normalized(string runDir)
    {
        string F(string f) => Path.Combine(runDir, f);
        return new Dictionary<string, byte[]>
        {
            ["config.json"] = Utf8(ConfigWithoutNewFields(F("config.json"))),
            ["summary.json"] = Utf8(JsonWithout(F("summary.json"), "seconds")),
            ["metrics.csv"] = Utf8(CsvWithout(F("metrics.csv"), "seconds")),
            ["data.safetensors"] = File.ReadAllBytes(F("data.safetensors")),
            ["init.safetensors"] = File.ReadAllBytes(F("init.safetensors")),
            ["final.safetensors"] = File.ReadAllBytes(F("final.safetensors")),
        };
    }

    private static byte[] Utf8(string s) => new UTF8Encoding(false).GetBytes(s);

    /// <summary>
    /// The fields config.json's "resolved" gained with classification and stochastic training (issue 12), in order after
    /// the paper's fields. The golden folders predate them: a paper run must have them, with the paper's values, and be
    /// identical in everything else.
    /// </summary>
    private static readonly string[] NewResolvedFields =
    [
        "outputs", "parameterization", "bias", "loss_name", "classes", "n_test", "data", "optimizer", "optimizer_settings",
        "batch_size", "steps_per_epoch", "shuffle", "steps", "lr_schedule", "eval_every", "checkpoint_every",
    ];

    /// <summary>config.json without "environment" and without <see cref="NewResolvedFields"/>, after checking their paper values.</summary>
    private static string ConfigWithoutNewFields(string path)
    {
        var node = JsonNode.Parse(JsonWithout(path, "environment"))!.AsObject();
        var resolved = node["resolved"]!.AsObject();
        var keys = resolved.Select(kv => kv.Key).ToList();
        Assert.Equal(NewResolvedFields, keys.Skip(keys.Count - NewResolvedFields.Length));
        Assert.Equal(1, resolved["outputs"]!.GetValue<int>());
        Assert.Equal("ntk", resolved["parameterization"]!.GetValue<string>());
        Assert.False(resolved["bias"]!.GetValue<bool>());
        Assert.Equal("half-sum-squares", resolved["loss_name"]!.GetValue<string>());
        Assert.Equal("gd", resolved["optimizer"]!.GetValue<string>());
        Assert.Equal(resolved["n"]!.GetValue<int>(), resolved["batch_size"]!.GetValue<int>());
        Assert.False(resolved["shuffle"]!.GetValue<bool>());
        Assert.Equal("constant", resolved["lr_schedule"]!.GetValue<string>());
        foreach (var f in NewResolvedFields) resolved.Remove(f);
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The JSON file without its top-level <paramref name="field"/>, written as RunFolder writes JSON.</summary>
    private static string JsonWithout(string path, string field)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(node.Remove(field), $"{path}: no \"{field}\" field");
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The CSV file without <paramref name="column"/>, lines ending in \n.</summary>
    private static string CsvWithout(string path, string column)
    {
        var lines = File.ReadAllText(path).Replace("\r\n", "\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int drop = Array.IndexOf(lines[0].Split(','), column);
        Assert.True(drop >= 0, $"{path}: no \"{column}\" column");
        var sb = new StringBuilder();
        foreach (var line in lines) sb.Append(string.Join(",", line.Split(',').Where((_, i) => i != drop))).Append('\n');
        return sb.ToString();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Regenerating.

    /// <summary>Writes the golden folders of all cases under <paramref name="dir"/> (see the class comment).</summary>
    internal static void Regenerate(string dir)
    {
        foreach (var (name, _) in Cases) RegenerateCase(dir, name);
    }

    /// <summary>Runs the case twice (they must agree bit for bit) and writes its golden folder under <paramref name="dir"/>.</summary>
    internal static void RegenerateCase(string dir, string name)
    {
        using var tmp = new TempDirectory("overparam-golden-");
        RunCase(name, tmp.File("a"));
        RunCase(name, tmp.File("b"));
        var files = Normalized(tmp.File("a"));
        var again = Normalized(tmp.File("b"));
        foreach (var f in RunFiles)
            Assert.True(files[f].AsSpan().SequenceEqual(again[f]), $"case {name}: {f} differs between two runs; not reproducible, not a golden file");

        var target = Path.Combine(dir, name);
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        Directory.CreateDirectory(target);
        foreach (var (f, bytes) in files) File.WriteAllBytes(Path.Combine(target, f), bytes);
        var machine = Machine();
        machine["git_commit"] = GitCommit(dir);
        File.WriteAllBytes(Path.Combine(target, "machine.json"),
            Utf8(machine.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"));
    }

    /// <summary>tests/Overparam.Tests/Golden in the source tree above the test assembly.</summary>
    private static string SourceGoldenDirectory()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Overparam.Tests.csproj"))) return Path.Combine(d.FullName, "Golden");
        throw new InvalidOperationException("Overparam.Tests.csproj not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The short commit of HEAD, with "+dirty" when src/ has uncommitted changes (the code that ran is not HEAD's).</summary>
    private static string GitCommit(string dir)
    {
        string? Git(params string[] args)
        {
            try
            {
                var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { "-C", dir }.Concat(args)) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var output = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                return p.ExitCode == 0 ? output : null;
            }
            catch (System.ComponentModel.Win32Exception) { return null; }
        }
        var commit = Git("rev-parse", "--short=7", "HEAD");
        if (commit is null) return "unknown";
        var root = Git("rev-parse", "--show-toplevel");
        var dirty = root is null ? null : Git("-C", root, "status", "--porcelain", "--", "src");
        return string.IsNullOrEmpty(dirty) ? commit : commit + "+dirty";
    }

    /// <summary>What decides the last bits of the sums: the BLAS kernels, .NET's vector width, the CPU.</summary>
    public static JsonObject Machine()
    {
        var backend = LinearAlgebra.Backend;
        return new JsonObject
        {
            ["blas_backend"] = backend.Name,
            ["blas_core_type"] = backend.CoreType,
            ["processor_count"] = Environment.ProcessorCount,
            ["vector512_hardware_accelerated"] = Vector512.IsHardwareAccelerated,
            ["cpu_model"] = CpuModel(),
            ["dotnet"] = Environment.Version.ToString(),
        };
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    private static string Describe(JsonObject m) =>
        $"{m["blas_backend"]} {m["blas_core_type"]}, Vector512 {m["vector512_hardware_accelerated"]}, CPU \"{m["cpu_model"]}\"";

    // ---------------------------------------------------------------------------------------------------------------
    // Tolerant comparison (cross-machine mode): structure and text exactly, numbers to a relative tolerance.

    /// <summary>The differences between two normalized files beyond <paramref name="tolerance"/> (empty: they agree).</summary>
    public static List<string> Compare(string file, byte[] expected, byte[] actual, double tolerance)
    {
        var d = new List<string>();
        if (file.EndsWith(".safetensors", StringComparison.Ordinal)) CompareTensors(file, expected, actual, tolerance, d);
        else if (file.EndsWith(".csv", StringComparison.Ordinal)) CompareCsv(file, Text(expected), Text(actual), tolerance, d);
        else
        {
            var e = JsonNode.Parse(Text(expected))!.AsObject();
            var a = JsonNode.Parse(Text(actual))!.AsObject();
            if (file == "config.json")
            {
                // The spec is the input: exactly. The resolved values: numbers (c_σ, λ₀, η, angles) to the tolerance.
                if (!JsonNode.DeepEquals(e["spec"], a["spec"])) d.Add($"{file}: spec differs:\n{a["spec"]?.ToJsonString()}");
                var keys = e.Select(kv => kv.Key).ToArray();
                if (!keys.SequenceEqual(a.Select(kv => kv.Key))) d.Add($"{file}: top-level fields [{string.Join(", ", keys)}] → [{string.Join(", ", a.Select(kv => kv.Key))}]");
                CompareJson($"{file}: resolved", e["resolved"], a["resolved"], tolerance, d);
            }
            else CompareJson(file, e, a, tolerance, d);
        }
        return d;
    }

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b).Replace("\r\n", "\n");

    private static bool Close(double e, double a, double tolerance) =>
        e.Equals(a) || Math.Abs(e - a) <= tolerance * Math.Max(Math.Abs(e), Math.Abs(a));

    private static void CompareCsv(string file, string expected, string actual, double tolerance, List<string> d)
    {
        var e = expected.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var a = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (e[0] != a[0]) { d.Add($"{file}: header \"{e[0]}\" → \"{a[0]}\""); return; }
        if (e.Length != a.Length) { d.Add($"{file}: {e.Length - 1} rows → {a.Length - 1}"); return; }
        var header = e[0].Split(',');
        for (int r = 1; r < e.Length; r++)
        {
            string[] er = e[r].Split(','), ar = a[r].Split(',');
            if (er.Length != ar.Length) { d.Add($"{file} row {r}: {er.Length} fields → {ar.Length}"); continue; }
            for (int c = 0; c < er.Length; c++)
            {
                if (er[c] == ar[c]) continue;
                bool numbers = double.TryParse(er[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                    & double.TryParse(ar[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var y);
                if (!numbers || !Close(x, y, tolerance))
                    d.Add($"{file} row {r} (step {er[0]}) {header[c]}: {er[c]} → {ar[c]}" + (numbers ? $" (relative {RelativeDifference(x, y):G3})" : ""));
            }
        }
    }

    private static double RelativeDifference(double e, double a) => Math.Abs(e - a) / Math.Max(Math.Abs(e), Math.Abs(a));

    private static readonly Regex Number = new(@"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", RegexOptions.CultureInvariant);

    private static void CompareJson(string where, JsonNode? e, JsonNode? a, double tolerance, List<string> d)
    {
        switch (e)
        {
            case null:
                if (a is not null) d.Add($"{where}: null → {a.ToJsonString()}");
                return;
            case JsonObject eo:
                if (a is not JsonObject ao) { d.Add($"{where}: {e.ToJsonString()} → {a?.ToJsonString() ?? "null"}"); return; }
                var keys = eo.Select(kv => kv.Key).ToArray();
                if (!keys.SequenceEqual(ao.Select(kv => kv.Key)))
                {
                    d.Add($"{where}: fields [{string.Join(", ", keys)}] → [{string.Join(", ", ao.Select(kv => kv.Key))}]");
                    return;
                }
                foreach (var k in keys) CompareJson($"{where}.{k}", eo[k], ao[k], tolerance, d);
                return;
            case JsonArray ea:
                if (a is not JsonArray aa || aa.Count != ea.Count) { d.Add($"{where}: {e.ToJsonString()} → {a?.ToJsonString() ?? "null"}"); return; }
                for (int i = 0; i < ea.Count; i++) CompareJson($"{where}[{i}]", ea[i], aa[i], tolerance, d);
                return;
            default:
                var ev = e.AsValue();
                if (a is not JsonValue av || ev.GetValueKind() != av.GetValueKind()) { d.Add($"{where}: {e.ToJsonString()} → {a?.ToJsonString() ?? "null"}"); return; }
                if (ev.GetValueKind() == JsonValueKind.Number)
                {
                    double x = ev.GetValue<double>(), y = av.GetValue<double>();
                    if (!Close(x, y, tolerance)) d.Add($"{where}: {e.ToJsonString()} → {a.ToJsonString()} (relative {RelativeDifference(x, y):G3})");
                }
                else if (ev.GetValueKind() == JsonValueKind.String)
                {
                    // Text exactly, apart from the numbers printed in it (6 significant digits: η's "how").
                    string es = ev.GetValue<string>(), s = av.GetValue<string>();
                    var en = Number.Matches(es);
                    var an = Number.Matches(s);
                    bool same = Number.Replace(es, "#") == Number.Replace(s, "#") && en.Count == an.Count
                        && en.Zip(an).All(p => p.First.Value == p.Second.Value
                            || Close(double.Parse(p.First.Value, CultureInfo.InvariantCulture), double.Parse(p.Second.Value, CultureInfo.InvariantCulture),
                                Math.Max(tolerance, PrintedTolerance)));
                    if (!same) d.Add($"{where}: \"{es}\" → \"{s}\"");
                }
                else if (!JsonNode.DeepEquals(e, a)) d.Add($"{where}: {e.ToJsonString()} → {a.ToJsonString()}");
                return;
        }
    }

    private static void CompareTensors(string file, byte[] expected, byte[] actual, double tolerance, List<string> d)
    {
        using var tmp = new TempDirectory("overparam-golden-");
        File.WriteAllBytes(tmp.File("e.safetensors"), expected);
        File.WriteAllBytes(tmp.File("a.safetensors"), actual);
        var e = SafeTensors.Read(tmp.File("e.safetensors"), out var em);
        var a = SafeTensors.Read(tmp.File("a.safetensors"), out var am);
        if (!em.OrderBy(kv => kv.Key).SequenceEqual(am.OrderBy(kv => kv.Key))) d.Add($"{file}: metadata differs");
        if (!e.Keys.SequenceEqual(a.Keys)) { d.Add($"{file}: tensors [{string.Join(", ", e.Keys)}] → [{string.Join(", ", a.Keys)}]"); return; }
        foreach (var (name, et) in e)
        {
            var at = a[name];
            if (et.DType != at.DType || !et.Shape.SequenceEqual(at.Shape))
            {
                d.Add($"{file} {name}: {et.DType} [{string.Join(", ", et.Shape)}] → {at.DType} [{string.Join(", ", at.Shape)}]");
                continue;
            }
            double[] ev = Values(et), av = Values(at);
            int bad = 0, first = -1;
            for (int i = 0; i < ev.Length; i++)
                if (!Close(ev[i], av[i], tolerance)) { bad++; if (first < 0) first = i; }
            if (bad > 0)
                d.Add($"{file} {name}: {bad} of {ev.Length} values " + (tolerance == 0 ? "differ" : "beyond the tolerance")
                    + $", first [{first}] {ev[first]:R} → {av[first]:R}");
        }
        // A safetensors file is its header and the values: with both equal, the bytes are equal too.
        if (d.Count == 0 && !HeaderOf(expected).SequenceEqual(HeaderOf(actual))) d.Add($"{file}: headers differ");
    }

    private static double[] Values(Tensor t) => t.Doubles ?? t.Floats!.Select(f => (double)f).ToArray();

    private static byte[] HeaderOf(byte[] file)
    {
        long n = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(file);
        return file.AsSpan(0, (int)(8 + n)).ToArray();
    }

    /// <summary>Where two files first differ: a line of a text file, a tensor element of a safetensors file, else a byte.</summary>
    private static string FirstDifference(string file, byte[] expected, byte[] actual)
    {
        if (!file.EndsWith(".safetensors", StringComparison.Ordinal))
        {
            var e = Text(expected).Split('\n');
            var a = Text(actual).Split('\n');
            for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
            {
                string el = i < e.Length ? e[i] : "(end of file)", al = i < a.Length ? a[i] : "(end of file)";
                if (el != al) return $"line {i + 1}: \"{el}\" → \"{al}\"";
            }
            return "same lines, different bytes";
        }
        var d = new List<string>();
        CompareTensors(file, expected, actual, 0, d);
        if (d.Count > 0) return d[0];
        int at = 0;
        while (at < Math.Min(expected.Length, actual.Length) && expected[at] == actual[at]) at++;
        return $"byte {at} of {expected.Length} → {actual.Length}";
    }
}
