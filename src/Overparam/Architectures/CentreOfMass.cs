using System.Numerics;

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

    /// <summary>w̄ of coordinates [start, start + centre.Length) of parameter <paramref name="q"/> into <paramref name="centre"/>.</summary>
    /// <remarks>One pass, a vector at a time: ((w^0 + w^1) + …) / y, rounded as a copy, y − 1 adds and a divide over the whole span.</remarks>
    public static void Average<T>(IReadOnlyList<Parameter<T>> parameters, int replicas, int q, int start, Span<T> centre) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int perReplica = parameters.Count / replicas, n = centre.Length, width = Vector<T>.Count, j = 0;
        var y = new Vector<T>(T.CreateTruncating(replicas));
        for (; j <= n - width; j += width)
        {
            var sum = new Vector<T>(parameters[q].Value.AsSpan(start + j, width));
            for (int a = 1; a < replicas; a++) sum += new Vector<T>(parameters[a * perReplica + q].Value.AsSpan(start + j, width));
            (replicas > 1 ? sum / y : sum).CopyTo(centre[j..]);
        }
        for (; j < n; j++)
        {
            T sum = parameters[q].Value[start + j];
            for (int a = 1; a < replicas; a++) sum += parameters[a * perReplica + q].Value[start + j];
            centre[j] = replicas > 1 ? sum / T.CreateTruncating(replicas) : sum;
        }
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
