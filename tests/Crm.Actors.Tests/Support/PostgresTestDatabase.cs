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
    private string? _owner;

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

    /// <summary>
    /// Hands the database to a new login role with <paramref name="password"/> (the server checks passwords on
    /// 127.0.0.1); returns a connection string as that role, without the password. The role goes with the database.
    /// </summary>
    public async Task<string> OwnedByNewRoleAsync(string password)
    {
        _owner = Name + "_owner";
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        foreach (var sql in new[] { $"CREATE ROLE {_owner} LOGIN PASSWORD '{password}'", $"ALTER DATABASE {Name} OWNER TO {_owner}" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Username = _owner, Password = null }.ConnectionString;
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
        if (_owner is null) return;
        await using var dropRole = new NpgsqlCommand($"DROP ROLE IF EXISTS {_owner}", connection);
        await dropRole.ExecuteNonQueryAsync();
    }
}
