using System.Diagnostics;
using System.Text.Json.Nodes;
using Overparam.Numerics;

namespace Overparam.Bench;

/// <summary>Finds a Python with torch and runs bench/torch_step.py with the same OpenBLAS core type and thread count.</summary>
public sealed class TorchRunner
{
    public string Python { get; }
    public string Script { get; }
    public JsonObject Probe { get; }
    private readonly int threads;

    private TorchRunner(string python, string script, JsonObject probe, int threads)
    {
        Python = python; Script = script; Probe = probe; this.threads = threads;
    }

    /// <summary>The OPENBLAS_CORETYPE our library runs with (user's choice, else the one chosen from the CPU).</summary>
    public static string? CoreType =>
        Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is { Length: > 0 } set ? set : OpenBlasBackend.CoreTypeForCpu();

    /// <summary>Null (with the reason) when no python3 can import torch or the script is missing.</summary>
    public static TorchRunner? TryCreate(BenchOptions options, out string reason)
    {
        string[] scripts = [Path.Combine(AppContext.BaseDirectory, "torch_step.py"), Path.Combine("bench", "torch_step.py"), "torch_step.py"];
        var script = scripts.FirstOrDefault(File.Exists);
        if (script is null) { reason = "bench/torch_step.py not found"; return null; }
        // Debian's python3-torch lives in /usr/lib/python3/dist-packages: a pyenv/venv python3 on PATH does not see it.
        string[] pythons = options.Python is { } p ? [p] : ["python3", "/usr/bin/python3"];
        var tried = new List<string>();
        foreach (var py in pythons)
        {
            var (ok, output) = Run(py, script, ["--probe", "--threads", options.Threads.ToString()], options.Threads, TimeSpan.FromMinutes(2));
            if (ok && JsonNode.Parse(output) is JsonObject probe && !probe.ContainsKey("error"))
            {
                reason = "";
                return new TorchRunner(py, script, probe, options.Threads);
            }
            tried.Add($"{py}: {output.Trim().Split('\n').LastOrDefault()}");
        }
        reason = "no python3 with torch (apt-get install python3-torch); tried " + string.Join("; ", tried);
        return null;
    }

    public JsonObject Step(IEnumerable<string> args) => RunScript(Script, args, TimeSpan.FromMinutes(10));

    /// <summary>Runs another script of bench/ (next to torch_step.py, e.g. torch_classifier.py) and parses its last line as JSON.</summary>
    /// <param name="environment">Extra environment variables (e.g. OMP_WAIT_POLICY), on top of the core type and thread counts.</param>
    public JsonObject RunBenchScript(string name, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null) =>
        RunScript(Path.Combine(Path.GetDirectoryName(Script) ?? ".", name), args, timeout, environment);

    private JsonObject RunScript(string script, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (ok, output) = Run(Python, script, args, threads, timeout, environment);
        if (!ok) throw new InvalidOperationException($"{Path.GetFileName(script)} failed: {output}");
        return (JsonObject)JsonNode.Parse(output.Trim().Split('\n').Last())!;
    }

    private static (bool Ok, string Output) Run(string python, string script, IEnumerable<string> args, int threads, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (CoreType is { } core) psi.Environment["OPENBLAS_CORETYPE"] = core;
        psi.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString();
        psi.Environment["OMP_NUM_THREADS"] = threads.ToString();
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        try
        {
            using var proc = Process.Start(psi)!;
            var stderr = proc.StandardError.ReadToEndAsync();
            string stdout = proc.StandardOutput.ReadToEnd();
            if (!proc.WaitForExit(timeout)) { proc.Kill(); return (false, "timed out"); }
            return (proc.ExitCode == 0, proc.ExitCode == 0 ? stdout : stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { return (false, e.Message); }
    }
}
