using Npgsql;

namespace Crm.Actors.Benchmarks;

/// <summary>A fresh, empty journal for one benchmark run; disposing it removes it.</summary>
public sealed class Journal : IAsyncDisposable
{
    private readonly Func<ValueTask> _remove;

    private Journal(string name, string provider, string connectionString, Func<ValueTask> remove)
    {
        Name = name;
        Provider = provider;
        ConnectionString = connectionString;
        _remove = remove;
    }

    public string Name { get; }
    public string Provider { get; }
    public string ConnectionString { get; }

    public static Journal Sqlite()
    {
        // A folder of its own: the plugin keeps one connection open for the life of the process, and its -wal and
        // -shm files cannot come back once the folder is gone.
        var folder = Directory.CreateTempSubdirectory("crm-bench-").FullName;
        return new Journal("SQLite", "Sqlite", $"Data Source={Path.Combine(folder, "crm.db")}", () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>A new database on the server of CRM_TEST_POSTGRES, or null and why not.</summary>
    public static async Task<(Journal? Journal, string? Skipped)> PostgresAsync()
    {
        var admin = Environment.GetEnvironmentVariable("CRM_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(admin))
            return (null, "CRM_TEST_POSTGRES is not set (e.g. 'Host=127.0.0.1;Port=5432;Username=crm;Password=crm;Database=crm'; ./test.sh installs and starts PostgreSQL)");
        var name = "crm_bench_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            return (null, $"PostgreSQL at CRM_TEST_POSTGRES is unavailable: {e.Message}");
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return (new Journal("PostgreSQL", "PostgreSql", connectionString, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }), null);
    }

    /// <summary>
    /// A fresh journal of <paramref name="kind"/> (<c>sqlite</c> or <c>postgres</c>, as in <c>Journals=</c>; a provider
    /// name works too), or null and why not.
    /// </summary>
    public static async Task<(Journal? Journal, string? Skipped)> FreshAsync(string kind) =>
        kind.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) ? await PostgresAsync() : (Sqlite(), null);

    /// <summary>Another fresh journal of this one's kind (which was available a moment ago).</summary>
    public async Task<Journal> AnotherAsync()
    {
        var (journal, skipped) = await FreshAsync(Provider);
        return journal ?? throw new InvalidOperationException($"a second {Name} journal: {skipped}");
    }

    public ValueTask DisposeAsync() => _remove();
}
