namespace Crm.Actors.Hosting;

public sealed record ClusterSettings(string Hostname, int Port, IReadOnlyList<string> SeedNodes)
{
    public const string SystemName = "crm";
}

public enum PersistenceProvider
{
    Sqlite,
    PostgreSql,
}

public sealed record PersistenceSettings(PersistenceProvider Provider, string ConnectionString);

public sealed record CustomerSettings(int Partitions, int SnapshotEvery, TimeSpan PassivateAfter, TimeSpan MinBackoff, TimeSpan MaxBackoff)
{
    public static readonly CustomerSettings Default = new(4, 100, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
}
