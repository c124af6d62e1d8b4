using System.Numerics;
using Overparam.Architectures;
using Overparam.IO;

namespace Overparam.Training.Optimizers;

/// <summary>
/// Replicated-SGD, the "robust ensemble" of the code lineage of Pittorino et al. (ICLR 2021), docs/mathematics.md §11.3: y replicas
/// w^1 … w^y (the parameters of a <see cref="ReplicaModel{T}"/>, in order), each on its own batches, trained on
/// <code>
/// L_tot = L_data + γ (1/y) Σ_a ‖w^a − w̄‖²,   w̄ = (1/y) Σ_a w^a   (the centre of mass, <see cref="CentreOfMass"/>)
/// ∂L_tot/∂w^a = ∂L_data/∂w^a + (2γ/y)(w^a − w̄)          (through w̄ nothing: Σ_a (w^a − w̄) = 0)
/// </code>
/// with L_data the run's loss over the y·B rows of the step, for a mean loss (1/(yB)) Σ_a Σ_{i ∈ B_a} ℓ_i as in the
/// code, and SGD (<see cref="SgdRule{T}"/>'s rule, fused with the coupling in one pass, <see cref="CoupledSgdStep{T}"/>: momentum, dampening, Nesterov, weight decay, PyTorch's first-step copy) on
/// ∂L_tot/∂w^a with step y·η — the code lineage's lr·y, so that for a mean loss each replica moves by
/// η [∇L_a(w^a) + 2γ(w^a − w̄)] (+ momentum and decay). w̄ is computed from the replicas at the start of each step, block
/// by block in the same pass as the update (a block's w̄ from the replicas' blocks before any of them moves).
/// With y = 1 the coupling vanishes and this is <see cref="Sgd{T}"/>, bit for bit.
/// <para>The choices this implementation makes (docs/mathematics.md §11):</para>
/// <list type="bullet">
/// <item>lr·y comes from a newer script of the lineage, not from <c>robust.py</c> at 2f050449; with the weight decay in
/// L_tot's SGD each replica decays at y·η·λ.</item>
/// <item>The coupling is 2γ(w^a − w̄) per replica (the code's γ, half of Entropy-SGD's for the same number) and its γ0
/// is balanced as the code's: γ0 = ℓ / ((1/y) Σ_a ‖w^a − w̄‖²) (no ½), with ℓ the loss of the first step's y·B rows
/// (the replicas' first batch losses together: the code takes the replicas' mean training loss at the start; a batch
/// estimates it) and the distances at the initialization; 0 when the replicas coincide.</item>
/// <item>γ changes once per epoch (<see cref="CouplingSchedule"/>: exp, lin, cosine).</item>
/// <item>The centre is the centre of mass; the code's explicit centre network (<c>use_center</c>) is not implemented.
/// Only trained parameters are coupled.</item>
/// </list>
/// State: "step", "momentum_buffer.replica-a/NAME" when μ ≠ 0, and "gamma0".
/// </summary>
public sealed class ReplicatedSgd<T> : IOptimizer<T>, ICoupled where T : unmanaged, IFloatingPointIeee754<T>
{
    public const string KindName = "replicated-sgd";
    private const string Gamma0Name = "gamma0";

    private readonly int replicas;
    private readonly double momentum, dampening, weightDecay, initialGamma0;
    private readonly bool nesterov, balanced;
    private readonly CouplingSchedule schedule;
    private readonly ParameterBuffers<T> state;
    private readonly T[] centreBlock = new T[ParameterBuffers<T>.BlockLength];
    private double gamma0;

    public ReplicatedSgd(OptimizerSettings settings)
    {
        SgdRule<T>.Validate(settings);
        if (settings.Replicas < 1) throw new ArgumentException($"--replicas {settings.Replicas}: must be at least 1");
        if (settings.Gamma0 is { } g0) OptimizerSettings.RequireNonNegative("--gamma0", g0);
        schedule = new CouplingSchedule(settings.GammaSchedule, settings.Gamma1, settings.GammaMax, settings.Epochs, settings.Gamma0 is not null);
        LearningRate = settings.LearningRate;
        (momentum, dampening, weightDecay, nesterov, replicas) = (settings.Momentum, settings.Dampening, settings.WeightDecay, settings.Nesterov, settings.Replicas);
        balanced = settings.Gamma0 is null && settings.GammaSchedule != "cosine";
        gamma0 = initialGamma0 = settings.Gamma0 ?? 0;
        state = momentum != 0 ? new(KindName, "momentum_buffer") : new(KindName);
    }

    public string Name => KindName;

    /// <summary>η, the step per replica (L_tot's SGD takes y·η).</summary>
    public double LearningRate { get; set; }

    /// <summary>γ0 (the balanced one once the first step has set it).</summary>
    public double Gamma0 => gamma0;

    /// <summary>γ at epoch <paramref name="epoch"/> (the same for every step of it).</summary>
    public double Gamma(int step, int epoch) => schedule.At(gamma0, epoch);

    public void Step(in OptimizerStep<T> step)
    {
        state.Begin(step);
        var ps = step.Model.Parameters;
        if (ps.Count % replicas != 0) throw new ArgumentException($"{KindName}: {ps.Count} parameters are not {replicas} replicas of one network");
        int perReplica = ps.Count / replicas;
        var trained = step.Trained;
        bool Trains(int q) => trained is null || trained[q];
        if (balanced && state.Steps == 1)
        {
            var centres = Enumerable.Range(0, perReplica).Select(q => Trains(q) ? new T[ps[q].Value.Length] : []).ToArray();
            for (int q = 0; q < perReplica; q++) if (Trains(q)) CentreOfMass.Average(ps, replicas, q, centres[q]);
            double distance = CentreOfMass.MeanSquaredDistance(ps, replicas, centres, Trains);
            gamma0 = distance > 0 ? step.Loss / distance : 0;
        }
        double coupling = replicas > 1 ? 2 * schedule.At(gamma0, step.Epoch) / replicas : 0;
        var update = new CoupledSgdStep<T>(coupling, replicas * LearningRate, momentum, dampening, weightDecay, nesterov);
        bool first = state.Steps == 1;
        // Block by block, so that w̄ of a block is computed from the replicas' blocks and used while they are in cache.
        for (int q = 0; q < perReplica; q++)
        {
            if (!Trains(q)) continue;
            for (int i = 0; i < ps[q].Value.Length; i += ParameterBuffers<T>.BlockLength)
            {
                int length = Math.Min(ParameterBuffers<T>.BlockLength, ps[q].Value.Length - i);
                Span<T> centre = centreBlock.AsSpan(0, length);
                if (update.Coupled) CentreOfMass.Average(ps, replicas, q, i, centre);
                for (int a = 0; a < replicas; a++)
                {
                    int p = a * perReplica + q;
                    if (!step.Trains(p)) continue;
                    update.Apply(ps[p].Value.AsSpan(i, length), state.Gradient(p).AsSpan(i, length), centre,
                        momentum != 0 ? state.Buffer(0, p).AsSpan(i, length) : [], first);
                }
            }
        }
    }

    public IReadOnlyList<Tensor> SaveState()
    {
        var tensors = state.Save().ToList();
        if (tensors.Count > 0) tensors.Add(Tensor.F64(Gamma0Name, [], [gamma0]));
        return tensors;
    }

    public void RestoreState(IReadOnlyDictionary<string, Tensor> saved)
    {
        if (saved.Count == 0)
        {
            state.Restore(saved);
            gamma0 = initialGamma0;
            return;
        }
        if (!saved.TryGetValue(Gamma0Name, out var g) || g.ElementCount != 1)
            throw new ArgumentException($"{KindName} state: the scalar \"{Gamma0Name}\" is missing");
        state.Restore(saved.Where(kv => kv.Key != Gamma0Name).ToDictionary());
        gamma0 = g.AsDoubles()[0];
    }
}
