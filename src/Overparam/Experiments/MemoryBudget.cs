using System.Globalization;
using Overparam.Architectures;

namespace Overparam.Experiments;

/// <summary>
/// A lower bound on the memory a request needs, checked against the memory this machine has available before anything
/// large is allocated, so that a request that cannot fit is refused with both figures instead of ending in an
/// out-of-memory kill or an overflow. Only the large arrays are counted (a run needs at least this much).
/// </summary>
public static class MemoryBudget
{
    /// <summary>One kind of data: what it is, its bytes in all and the entries of its largest single array.</summary>
    public readonly record struct Part(string What, double Bytes, long LargestArray);

    /// <summary>
    /// Available memory: MemAvailable of /proc/meminfo (what can be allocated without swapping), bounded by the GC's
    /// limit (a container's memory limit); the GC's figure alone where /proc/meminfo is not readable.
    /// </summary>
    public static long Available()
    {
        long gc = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out long kb))
                    return Math.Min(gc, kb * 1024);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return gc;
    }

    /// <summary>Refuses (bad input, naming <paramref name="request"/>) when an array is too large to exist or the parts do not fit.</summary>
    public static void Ensure(string request, IReadOnlyList<Part> parts, long? available = null)
    {
        foreach (var p in parts)
            if (p.LargestArray > Array.MaxLength)
                throw new RunSpecException($"{request}: the {p.What} need an array of {p.LargestArray:N0} entries, more than an array can hold ({Array.MaxLength:N0})");
        double total = parts.Sum(p => p.Bytes);
        long have = available ?? Available();
        if (total > have)
            throw new RunSpecException($"{request}: needs at least {Size(total)} of memory ({string.Join(", ", parts.Where(p => p.Bytes > 0).Select(p => $"{p.What} {Size(p.Bytes)}"))}) " +
                $"and this machine has {Size(have)} available");
    }

    /// <summary>
    /// A training run of <paramref name="config"/> on n samples in batches of <paramref name="batch"/>: parameters,
    /// gradients and the copy of the weights that is written out, two arrays per layer for the activations (forward and backward; three with batch norm, its normalized batch), and the H + 2 Gram matrices
    /// (n × n, float64) when the step size or the probes need them, and the kernels when the probes or the theory policy do.
    /// </summary>
    public static IReadOnlyList<Part> Training(NetworkConfig config, int n, int batch, int elementBytes, bool grams, bool kernel)
    {
        var sizes = NetworkFactory.Shapes(config).Select(s => s.Shape.Aggregate(1L, (a, b) => a * b)).ToList();
        long layer = (long)batch * Math.Max(config.Width, config.FeatureSize) * config.Positions;
        var parts = new List<Part>
        {
            new("parameters, gradients and the copy written to init.safetensors", 3.0 * sizes.Sum() * elementBytes, sizes.Max()),
            new("activations", (config.BatchNorm ? 3.0 : 2.0) * config.Depth * layer * elementBytes, layer),
        };
        if (grams) parts.Add(new($"{config.Depth + 2} Gram matrices of n x n", (config.Depth + 2) * 8.0 * n * n, (long)n * n));
        if (kernel) parts.AddRange(Kernel(config, n));
        return parts;
    }

    /// <summary>The infinite-width kernels: K^(0) … K^(H) and Θ, n × n each, in float64.</summary>
    public static IReadOnlyList<Part> Kernel(NetworkConfig config, int n) =>
        [new($"{config.Depth + 2} kernel matrices of n x n", (config.Depth + 2) * 8.0 * n * n, (long)n * n)];

    /// <summary>Bytes in GB (10⁹), MB or kB, three significant digits.</summary>
    public static string Size(double bytes) => bytes switch
    {
        >= 1e9 => (bytes / 1e9).ToString("G3", CultureInfo.InvariantCulture) + " GB",
        >= 1e6 => (bytes / 1e6).ToString("G3", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e3).ToString("G3", CultureInfo.InvariantCulture) + " kB",
    };
}
