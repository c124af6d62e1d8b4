namespace Overparam.Bench.Cases;

/// <summary>
/// One named benchmark case. Program.Cases lists them in run order; `--only x,y` runs the cases any of whose tags is
/// listed. To add a case (the conv ResNet, the kernel bench, …) write a small class in this folder and add it to
/// Program.Cases.
/// </summary>
public interface IBenchCase
{
    /// <summary>Unique name, also the key in results/latest.json.</summary>
    string Name { get; }

    /// <summary>Names `--only` matches, the name included (e.g. "fc", "step", "torch").</summary>
    IReadOnlyCollection<string> Tags { get; }

    /// <summary>True when the case reports a fraction of the GEMM peak (so the peak case must run first).</summary>
    bool NeedsPeak => false;

    /// <summary>True for a case that runs only when `--only` names one of its tags (a long one, e.g. classifier-accuracy).</summary>
    bool Optional => false;

    void Run(BenchContext ctx);
}
