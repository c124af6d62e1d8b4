using System.Globalization;
using Microsoft.Data.Sqlite;
using Overparam.Training;

namespace Overparam.Experiments.Sweeps;

/// <summary>
/// The results of a sweep folder: an SQLite database (<c>results.db</c>, WAL journal, synchronous=FULL) with one row
/// per finished cell keyed by the cell's hash, written in its own transaction, so a row is complete or absent even
/// after <c>kill -9</c>; and a <c>meta</c> table (spec hash, normalized spec, shard). Several processes may write to
/// the same store: SQLite serializes them, waiting up to <see cref="BusyTimeoutMs"/> for the lock.
/// </summary>
public sealed class ResultStore : IDisposable
{
    public const string FileName = "results.db";
    public const int BusyTimeoutMs = 60_000;

    private readonly SqliteConnection connection;
    private SqliteTransaction? transaction;

    public string Path { get; }

    private ResultStore(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
    }

    /// <summary>Opens (creating if needed) the store of a folder.</summary>
    public static ResultStore Open(string directory)
    {
        OutputFolder.Create("sweep folder", directory);
        string path = System.IO.Path.Combine(directory, FileName);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = BusyTimeoutMs / 1000 };
        var connection = new SqliteConnection(builder.ToString());
        try { return Prepare(path, connection); }
        catch (SqliteException e) when (e.SqliteErrorCode is Damaged or NotADatabase)
        {
            connection.Dispose();
            throw new RunSpecException($"{path}: the result store is damaged ({e.Message.TrimEnd('.')}); it was left untouched: " +
                "restore it from a copy, or move it away to run the sweep afresh");
        }
    }

    private const int Damaged = 11, NotADatabase = 26; // SQLITE_CORRUPT, SQLITE_NOTADB

    private static ResultStore Prepare(string path, SqliteConnection connection)
    {
        connection.Open();
        var store = new ResultStore(path, connection);
        store.Execute($"PRAGMA busy_timeout = {BusyTimeoutMs}");
        store.Execute("PRAGMA journal_mode = WAL");
        store.Execute("PRAGMA synchronous = FULL");
        store.Execute("""
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS results (
                key TEXT PRIMARY KEY, cell_index INTEGER NOT NULL, spec_json TEXT NOT NULL,
                status TEXT NOT NULL, reason TEXT, steps INTEGER NOT NULL,
                initial_loss REAL, final_loss REAL, seconds REAL NOT NULL, eta REAL, lambda0 REAL,
                final_json TEXT NOT NULL, finished_at TEXT NOT NULL, worker TEXT NOT NULL)
            """);
        return store;
    }

    /// <summary>True when the folder has a store.</summary>
    public static bool Exists(string directory) => File.Exists(System.IO.Path.Combine(directory, FileName));

    public string? GetMeta(string name)
    {
        using var cmd = Command("SELECT value FROM meta WHERE name = $n", ("$n", name));
        return cmd.ExecuteScalar() as string;
    }

    public void SetMeta(string name, string value) =>
        Execute("INSERT INTO meta(name, value) VALUES($n, $v) ON CONFLICT(name) DO UPDATE SET value = excluded.value", ("$n", name), ("$v", value));

    /// <summary>
    /// Runs <paramref name="body"/> in one write transaction (BEGIN IMMEDIATE: the write lock is taken first, waiting
    /// up to <see cref="BusyTimeoutMs"/>), so a read-modify-write of the meta table by several processes at once
    /// loses nothing.
    /// </summary>
    public T InTransaction<T>(Func<T> body)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        transaction = tx;
        try
        {
            T result = body();
            tx.Commit();
            return result;
        }
        finally { transaction = null; }
    }

    /// <summary>Records a finished cell. A cell already present is kept unless <paramref name="replace"/> (a retried failure).</summary>
    /// <returns>True when the row was written.</returns>
    public bool Add(CellRecord r, bool replace = false)
    {
        string verb = replace ? "INSERT OR REPLACE" : "INSERT OR IGNORE";
        using var cmd = Command($"""
            {verb} INTO results(key, cell_index, spec_json, status, reason, steps, initial_loss, final_loss, seconds, eta,
                lambda0, final_json, finished_at, worker)
            VALUES($key, $index, $spec, $status, $reason, $steps, $l0, $l1, $sec, $eta, $lambda0, $final, $at, $worker)
            """,
            ("$key", r.Key), ("$index", r.CellIndex), ("$spec", r.SpecJson), ("$status", TrainingStatusText.Name(r.Status)), ("$reason", r.Reason),
            ("$steps", r.Steps), ("$l0", Finite(r.InitialLoss)), ("$l1", Finite(r.FinalLoss)), ("$sec", Finite(r.Seconds)),
            ("$eta", Finite(r.Eta)), ("$lambda0", r.Lambda0 is { } l ? Finite(l) : null), ("$final", CellRecord.FinalJson(r.Final)),
            ("$at", r.FinishedAt.ToString("O", CultureInfo.InvariantCulture)), ("$worker", r.Worker));
        return cmd.ExecuteNonQuery() > 0;
    }

    /// <summary>Keys of every recorded cell.</summary>
    public HashSet<string> Keys()
    {
        var keys = new HashSet<string>();
        using var cmd = Command("SELECT key FROM results");
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) keys.Add(reader.GetString(0));
        return keys;
    }

    public CellRecord? Get(string key) => Query("WHERE key = $k", ("$k", key)).FirstOrDefault();

    /// <summary>Every record, in cell order.</summary>
    public IReadOnlyList<CellRecord> All() => Query("ORDER BY cell_index, key");

    private List<CellRecord> Query(string tail, params (string, object?)[] parameters)
    {
        using var cmd = Command($"""
            SELECT key, cell_index, spec_json, status, reason, steps, initial_loss, final_loss, seconds, eta, lambda0,
                final_json, finished_at, worker FROM results {tail}
            """, parameters);
        using var reader = cmd.ExecuteReader();
        var list = new List<CellRecord>();
        while (reader.Read())
            list.Add(new CellRecord(
                reader.GetString(0), reader.GetInt32(1), reader.GetString(2), Status(reader),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5), Real(reader, 6), Real(reader, 7),
                Real(reader, 8), Real(reader, 9), reader.IsDBNull(10) ? null : reader.GetDouble(10),
                CellRecord.ParseFinal(reader.GetString(11)),
                DateTimeOffset.Parse(reader.GetString(12), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                reader.GetString(13)));
        return list;
    }

    private TrainingStatus Status(SqliteDataReader reader) => TrainingStatusText.TryParse(reader.GetString(3))
        ?? throw new SweepSpecException(Path, [$"cell {reader.GetString(0)}: unknown status \"{reader.GetString(3)}\""]);

    private static double Real(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? double.NaN : reader.GetDouble(i);

    private static object? Finite(double x) => double.IsFinite(x) ? x : null;

    private void Execute(string sql, params (string, object?)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = BusyTimeoutMs / 1000;
        cmd.Transaction = transaction;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    public void Dispose() => connection.Dispose();
}
