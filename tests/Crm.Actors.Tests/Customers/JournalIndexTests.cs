using Akka.Actor;
using Akka.Hosting;
using Crm.Actors.Catalog;
using Crm.Actors.Customers;
using Crm.Actors.Hosting;
using Crm.Actors.Tests.Support;

namespace Crm.Actors.Tests.Customers;

/// <summary>
/// The journal and snapshot tables the host's persistence step creates come with the indexes recovery reads by: a
/// customer's rows are found by <c>(persistence_id, sequence_number)</c>. Without them (the plugin creates them only when
/// it is told the provider's name) every recovery scanned the whole journal: 12 ms of CPU per entity at 35,000 rows.
/// </summary>
public abstract class JournalIndexTests : Akka.Hosting.TestKit.TestKit
{
    protected abstract JournalStore Store { get; }

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        builder.WithCrmPersistence(new PersistenceSettings(
            Store.IsPostgres ? PersistenceProvider.PostgreSql : PersistenceProvider.Sqlite, Store.ConnectionString));

    [Fact]
    public async Task The_journal_and_snapshot_tables_have_a_unique_index_on_persistence_id_and_sequence_number()
    {
        // A recovery makes the plugin create its tables (auto-initialize).
        var customer = Sys.ActorOf(CustomerActor.Props("cus_index", CreateTestProbe(), NoCatalog.Instance,
            Crm.Actors.EventTypes.EventCatalog.Default, CustomerSettings.Default));
        var view = await customer.Ask<CustomerView>(new GetCustomer("cus_index"), TimeSpan.FromSeconds(30));
        Assert.Equal(0, view.SequenceNr);

        Assert.Contains("persistence_id,sequence_number", JournalInspector.IndexedColumns(Store, "journal", unique: true));
        Assert.Contains("persistence_id,sequence_number", JournalInspector.IndexedColumns(Store, "snapshot", unique: true));
    }
}

public sealed class SqliteJournalIndexTests : JournalIndexTests
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"crm-index-tests-{Guid.NewGuid():N}.db");

    protected override JournalStore Store => JournalStore.Sqlite(_database);

    protected override async Task AfterAllAsync()
    {
        await base.AfterAllAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" }) File.Delete(file);
    }
}

public sealed class PostgresJournalIndexTests : JournalIndexTests
{
    private readonly PostgresTestDatabase _database = PostgresTestDatabase.CreateAsync().GetAwaiter().GetResult();

    protected override JournalStore Store => JournalStore.Postgres(_database.ConnectionString);

    protected override async Task AfterAllAsync()
    {
        await base.AfterAllAsync();
        await _database.DisposeAsync();
    }
}
