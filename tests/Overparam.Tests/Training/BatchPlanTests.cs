using Overparam.Training;

namespace Overparam.Tests.Training;

public class BatchPlanTests
{
    [Fact]
    public void WithoutShuffle_BatchesAreTheDataInOrder_LastOneSmaller()
    {
        var plan = new BatchPlan(10, 4, shuffle: false);
        Assert.Equal(3, plan.StepsPerEpoch);
        Assert.Equal([0, 1, 2, 3], plan.Batch(0).ToArray());
        Assert.Equal([4, 5, 6, 7], plan.Batch(1).ToArray());
        Assert.Equal([8, 9], plan.Batch(2).ToArray());
        Assert.Equal([0, 1, 2, 3], plan.Batch(3).ToArray());   // epoch 1 starts again in data order
        Assert.Equal(1, plan.Epoch(3));
    }

    [Fact]
    public void WithShuffle_EachEpochIsAPermutation_ReproducibleFromTheSeed_DifferentPerEpoch()
    {
        var plan = new BatchPlan(100, 32, shuffle: true, seed: 7);
        var e0 = Enumerable.Range(0, plan.StepsPerEpoch).SelectMany(k => plan.Batch(k).ToArray()).ToArray();
        var e1 = Enumerable.Range(plan.StepsPerEpoch, plan.StepsPerEpoch).SelectMany(k => plan.Batch(k).ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 100), e0.Order());
        Assert.Equal(Enumerable.Range(0, 100), e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.NotEqual(Enumerable.Range(0, 100), e0);
        // A fresh plan (a resumed run) gives the same batches for any step, in any order of asking.
        var again = new BatchPlan(100, 32, shuffle: true, seed: 7);
        Assert.Equal(plan.Batch(5).ToArray(), again.Batch(5).ToArray());
        Assert.Equal(e0[..32], again.Batch(0).ToArray());
        Assert.NotEqual(e0, Enumerable.Range(0, 4).SelectMany(k => new BatchPlan(100, 32, true, 8).Batch(k).ToArray()).ToArray());
    }

    [Fact]
    public void FullBatch_IsTheWholeSet()
    {
        var plan = new BatchPlan(5);
        Assert.True(plan.IsFullBatch);
        Assert.Equal(1, plan.StepsPerEpoch);
        Assert.Equal(7, plan.Epoch(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchPlan(5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchPlan(5, 6));
    }
}
