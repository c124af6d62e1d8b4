using System.Text.Json.Nodes;
using Overparam.Numerics;

namespace Overparam.Bench;

/// <summary>One line of the printed table.</summary>
public sealed record Row(string Case, string What, string Time, string Work, string Rate, string Note);

/// <summary>Shared state of one bench run: options, sizes, the counting backend, peaks, table rows and the JSON results.</summary>
public sealed class BenchContext
{
    public BenchOptions Options { get; }
    public Sizes Sizes { get; }
    public CountingBackend Blas { get; }
    public List<Row> Rows { get; } = [];
    public JsonObject Results { get; } = [];
    public List<string> Notes { get; } = [];

    /// <summary>Best GEMM rates (flop/s) measured by the peak case, by element type name ("float64", "float32").</summary>
    public Dictionary<string, double> Peak { get; } = [];

    /// <summary>Median seconds of one GD step, by step case name, for cases that compare against it (Gram).</summary>
    public Dictionary<string, double> StepMedian { get; } = [];

    /// <summary>Keeps the best GEMM rate seen so far for the type (every reference GEMM of the run counts).</summary>
    public void UpdatePeak(string type, double flopsPerSecond)
    {
        if (!Peak.TryGetValue(type, out var old) || flopsPerSecond > old) Peak[type] = flopsPerSecond;
    }

    public BenchContext(BenchOptions options, CountingBackend blas)
    {
        Options = options;
        Sizes = options.Quick ? Sizes.Quick : Sizes.Full;
        Blas = blas;
    }

    public int Rounds => Options.Rounds ?? (Options.Quick ? 2 : 4);
    public int Steps => Options.Steps ?? (Options.Quick ? 3 : 5);

    public void Add(Row row)
    {
        Rows.Add(row);
        Console.WriteLine($"  {row.Case,-22} {row.What,-34} {row.Time,-30} {row.Rate,-14} {row.Note}");
    }

    public void Record(string caseName, JsonObject result) => Results[caseName] = result;

    public static JsonObject Json(Summary s) => new()
    {
        ["min_s"] = s.Min, ["median_s"] = s.Median, ["max_s"] = s.Max, ["samples"] = s.Count,
    };

    public static string TypeName<T>() => typeof(T) == typeof(double) ? "float64" : "float32";

    public static string Gflops(double flops, double seconds) => $"{flops / seconds / 1e9:F1} GFLOP/s";
}
