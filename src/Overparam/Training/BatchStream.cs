using System.Numerics;
using Overparam.Architectures;
using Overparam.Numerics;
using Overparam.Training.Losses;

namespace Overparam.Training;

/// <summary>
/// The batches of a run as the loop and the optimizers' oracle take them: batch b is <see cref="BatchPlan.Batch"/>(b),
/// gathered into buffers sized for one batch (a full batch is the data itself, no copy). The step's evaluation and the
/// oracle's draws have separate buffers, so the step's outputs and ∂L/∂u stay valid while an optimizer draws more.
/// </summary>
internal sealed class BatchStream<T> : IGradientOracle<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IModel<T> model;
    private readonly Matrix<T> x;
    private readonly T[] y;
    private readonly BatchPlan plan;
    private readonly ILoss loss;
    private readonly IReadOnlyList<bool>? trained;
    private readonly Buffers step, draw;
    private int rows;

    /// <summary>The batch the oracle takes next.</summary>
    public long Next { get; set; }

    public BatchStream(IModel<T> model, Matrix<T> x, T[] y, BatchPlan plan, ILoss loss, IReadOnlyList<bool>? trained)
    {
        this.model = model; this.x = x; this.y = y; this.plan = plan; this.loss = loss; this.trained = trained;
        step = new Buffers(plan, x, y, model.Outputs);
        draw = new Buffers(plan, x, y, model.Outputs);
    }

    /// <summary>u and ∂L/∂u of the step's batch (after <see cref="Evaluate"/>).</summary>
    public ReadOnlySpan<T> Outputs => step.U.AsSpan(0, rows * model.Outputs);
    public ReadOnlySpan<T> Gradient => step.G.AsSpan(0, rows * model.Outputs);

    /// <summary>Forward pass and loss of batch <paramref name="batch"/> at the current parameters, for the step.</summary>
    public double Evaluate(long batch)
    {
        rows = step.Load(plan, x, y, batch);
        return step.Evaluate(model, loss, rows);
    }

    public double NextGradient(IReadOnlyList<T[]> gradients)
    {
        int r = draw.Load(plan, x, y, Next++);
        double value = draw.Evaluate(model, loss, r);
        model.Backward(draw.G.AsSpan(0, r * model.Outputs));
        model.Gradients(gradients, trained);
        return value;
    }

    private sealed class Buffers
    {
        public readonly T[] U, G;
        private readonly Matrix<T> xBatch;
        private readonly T[] yBatch;
        private Matrix<T> xView;

        public Buffers(BatchPlan plan, Matrix<T> x, T[] y, int classes)
        {
            U = new T[plan.RowsPerStep * classes];
            G = new T[U.Length];
            xBatch = plan.IsFullBatch ? x : new Matrix<T>(plan.RowsPerStep, x.Cols);
            yBatch = plan.IsFullBatch ? y : new T[plan.RowsPerStep];
            xView = xBatch;
        }

        /// <summary>Gathers batch b's rows (nothing to do for a full batch); returns its size.</summary>
        public int Load(BatchPlan plan, Matrix<T> x, T[] y, long b)
        {
            if (plan.IsFullBatch) return x.Rows;
            var batch = plan.Batch(b);
            for (int r = 0; r < batch.Length; r++)
            {
                x.Row(batch[r]).CopyTo(xBatch.Row(r));
                yBatch[r] = y[batch[r]];
            }
            if (xView.Rows != batch.Length) xView = batch.Length == xBatch.Rows ? xBatch : Matrix<T>.View(batch.Length, x.Cols, xBatch.Data);
            return batch.Length;
        }

        public double Evaluate(IModel<T> model, ILoss loss, int rows)
        {
            var u = U.AsSpan(0, rows * model.Outputs);
            model.Forward(xView, u);
            return loss.Evaluate<T>(u, yBatch.AsSpan(0, rows), model.Outputs, G.AsSpan(0, u.Length));
        }
    }
}
