using System.Diagnostics;
using Npgsql;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// A fresh database on the local PostgreSQL that ./test.sh installs and starts (connection string in
/// CRM_TEST_POSTGRES). The PostgreSQL tests never skip: without the server they fail, saying how to get one.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private PostgresTestDatabase(string admin, string name)
    {
        _admin = admin;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable("CRM_TEST_POSTGRES")
            ?? throw new InvalidOperationException("CRM_TEST_POSTGRES is not set: run the tests with ./test.sh, which installs and starts PostgreSQL");
        var name = "crm_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new PostgresTestDatabase(admin, name);
    }

    /// <summary>Stops or starts the local PostgreSQL server (needs the rights ./test.sh runs with).</summary>
    public static void Server(string action)
    {
        var version = Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).OrderBy(v => int.Parse(v!)).Last();
        using var process = Process.Start("pg_ctlcluster", [version!, "main", action])!;
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pg_ctlcluster {version} main {action} exited {process.ExitCode}");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
