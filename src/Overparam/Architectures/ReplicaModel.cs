using System.Numerics;
using Overparam.Numerics;

namespace Overparam.Architectures;

/// <summary>
/// y copies of a network trained side by side (Replicated-SGD, docs/mathematics.md §11.3): its parameters are replica 0's, then
/// replica 1's, … (the same arrays, named "replica-a/NAME"), and a batch of y·r rows is split into y chunks of r, rows
/// [a·r, (a+1)·r) going to replica a ("inputs concatenated, then split into y chunks"), whose outputs fill the same
/// rows of the output. A loss over the y·r rows is then the replicas' losses together: for a mean loss,
/// (1/(y·r)) Σ_a Σ_{i ∈ chunk a} ℓ_i, and its gradient for replica a's parameters is that of its own chunk, divided by y.
/// </summary>
public sealed class ReplicaModel<T> : IModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The prefix of replica a's parameter names.</summary>
    public static string Prefix(int replica) => $"replica-{replica}/";

    public IReadOnlyList<IModel<T>> Replicas { get; }
    public IReadOnlyList<Parameter<T>> Parameters { get; }
    public int Outputs { get; }
    public int InputSize { get; }

    private readonly int perReplica;
    private readonly T[][] chunks;
    private int rows;

    public ReplicaModel(IReadOnlyList<IModel<T>> replicas)
    {
        if (replicas.Count < 1) throw new ArgumentException("a replica model needs at least one replica");
        Replicas = replicas;
        Outputs = replicas[0].Outputs;
        InputSize = replicas[0].InputSize;
        perReplica = replicas[0].Parameters.Count;
        if (replicas.Any(r => r.Outputs != Outputs || r.InputSize != InputSize || r.Parameters.Count != perReplica))
            throw new ArgumentException("the replicas must be copies of one network");
        Parameters = replicas.SelectMany((r, a) => r.Parameters.Select(p => new Parameter<T>(Prefix(a) + p.Name, p.Shape, p.Value))).ToArray();
        chunks = new T[replicas.Count][];
        Array.Fill(chunks, []);
    }

    public void Forward(Matrix<T> x, Span<T> outputs)
    {
        int y = Replicas.Count;
        if (x.Rows % y != 0) throw new ArgumentException($"{x.Rows} rows for {y} replicas: the batch must be y equal chunks");
        rows = x.Rows / y;
        for (int a = 0; a < y; a++)
        {
            int length = rows * x.Cols;
            if (chunks[a].Length < length) chunks[a] = new T[length];
            x.Data.AsSpan(a * length, length).CopyTo(chunks[a]);
            Replicas[a].Forward(Matrix<T>.View(rows, x.Cols, chunks[a]), outputs.Slice(a * rows * Outputs, rows * Outputs));
        }
    }

    public void Backward(ReadOnlySpan<T> outputGradient)
    {
        for (int a = 0; a < Replicas.Count; a++) Replicas[a].Backward(outputGradient.Slice(a * rows * Outputs, rows * Outputs));
    }

    public void Gradients(IReadOnlyList<T[]> gradients, IReadOnlyList<bool>? trained = null)
    {
        for (int a = 0; a < Replicas.Count; a++)
            Replicas[a].Gradients(Slice(gradients, a), trained is null ? null : Slice(trained, a));
    }

    /// <summary>Replica a's part of a list over <see cref="Parameters"/>.</summary>
    private IReadOnlyList<TItem> Slice<TItem>(IReadOnlyList<TItem> all, int replica) =>
        new ArraySegment<TItem>(all as TItem[] ?? all.ToArray(), replica * perReplica, perReplica);
}
