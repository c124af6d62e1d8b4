using Microsoft.Data.Sqlite;
using Overparam.Experiments;
using Overparam.Experiments.Sweeps;
using Overparam.Training;

namespace Overparam.Tests.Sweeps;

/// <summary>results.db keeps a status as its name and reads it back; a name it does not know is an error naming the cell.</summary>
public sealed class ResultStoreStatusTests
{
    [Fact]
    public void StatusIsStoredByNameAndAnUnknownNameIsRefused()
    {
        using var dir = new TempDirectory();
        var cell = SweepCell.Create(0, new RunSpec { Width = 8 });
        var outcome = CellOutcomes.Failed(TrainingStatus.Diverged, "too large a step");
        using (var store = ResultStore.Open(dir.Path))
        {
            store.Add(CellRecord.From(cell, outcome, "test"));
            Assert.Equal(TrainingStatus.Diverged, store.Get(cell.Key)!.Status);
        }

        using (var db = new SqliteConnection($"Data Source={Path.Combine(dir.Path, ResultStore.FileName)};Pooling=False"))
        {
            db.Open();
            using var read = db.CreateCommand();
            read.CommandText = "SELECT status FROM results";
            Assert.Equal("diverged", read.ExecuteScalar());
            using var write = db.CreateCommand();
            write.CommandText = "UPDATE results SET status = 'exploded'";
            write.ExecuteNonQuery();
        }

        using (var store = ResultStore.Open(dir.Path))
        {
            var e = Assert.Throws<SweepSpecException>(() => store.All());
            Assert.Contains($"cell {cell.Key}: unknown status \"exploded\"", e.Message);
        }
    }
}
