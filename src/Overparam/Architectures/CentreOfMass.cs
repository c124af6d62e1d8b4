using System.Numerics;
using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Overparam.Architectures;

/// <summary>
/// The centre of mass of y replicas, w̄ = (1/y) Σ_a w^a, of one parameter: the replicas' values summed in order a = 0 … y−1,
/// then divided by y (so that y = 1 gives w itself, exactly). The parameters are y sets of the same tensors, one after
/// the other, as in <see cref="ReplicaModel{T}"/>. The code lineage's <c>build_center_of_mass</c> averages BN buffers
/// too; the networks here have none.
/// </summary>
public static class CentreOfMass
{
    /// <summary>w̄ of parameter <paramref name="q"/> (0 ≤ q &lt; parameters/y) into <paramref name="centre"/>.</summary>
    public static void Average<T>(IReadOnlyList<Parameter<T>> parameters, int replicas, int q, Span<T> centre) where T : unmanaged, IFloatingPointIeee754<T> =>
        Average(parameters, replicas, q, 0, centre);

    /// <summary>
    /// w̄ of coordinates [start, start + centre.Length) of parameter <paramref name="q"/> into <paramref name="centre"/>:
    /// the partial sums w⁰ + w¹ + … + w^(y−2) (in order), then (that sum + w^(y−1)) / y in the same pass as the last addition.
    /// </summary>
    public static void Average<T>(IReadOnlyList<Parameter<T>> parameters, int replicas, int q, int start, Span<T> centre) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int perReplica = parameters.Count / replicas, n = centre.Length;
        ReadOnlySpan<T> Replica(int a) => parameters[a * perReplica + q].Value.AsSpan(start, n);
        if (replicas == 1) { Replica(0).CopyTo(centre); return; }
        ReadOnlySpan<T> sum = Replica(0);
        for (int a = 1; a < replicas - 1; a++)
        {
            TensorPrimitives.Add(sum, Replica(a), centre);
            sum = centre;
        }
        AddThenDivide(sum, Replica(replicas - 1), T.CreateTruncating(replicas), centre);
    }

    /// <summary>(x + y) / d per coordinate, both operations rounded (TensorPrimitives' Add, then Divide, in one pass).</summary>
    private static void AddThenDivide<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, T d, Span<T> result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = result.Length, j = 0;
        var dv = Vector512.Create(d);
        for (; j <= n - Vector512<T>.Count; j += Vector512<T>.Count)
            ((Vector512.Create(x[j..]) + Vector512.Create(y[j..])) / dv).CopyTo(result[j..]);
        for (; j < n; j++) result[j] = (x[j] + y[j]) / d;
    }

    /// <summary>(1/y) Σ_a ‖w^a − w̄‖² over the parameters q with <paramref name="include"/>(q), given every w̄ (in float64).</summary>
    public static double MeanSquaredDistance<T>(IReadOnlyList<Parameter<T>> parameters, int replicas, IReadOnlyList<T[]> centre, Func<int, bool> include)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int perReplica = parameters.Count / replicas;
        double sum = 0;
        for (int a = 0; a < replicas; a++)
            for (int q = 0; q < perReplica; q++)
            {
                if (!include(q)) continue;
                var w = parameters[a * perReplica + q].Value;
                for (int i = 0; i < w.Length; i++)
                {
                    double d = double.CreateTruncating(w[i]) - double.CreateTruncating(centre[q][i]);
                    sum += d * d;
                }
            }
        return sum / replicas;
    }
}
