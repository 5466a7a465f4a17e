using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql.Snapshot;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// Akka.Persistence.Sql's snapshot store whose writes can be held back: the real store over a real database, with a
/// snapshot write still under way for as long as a test needs. Configured by class name (<see cref="Hocon"/>), so its
/// switch is static; tests that set it do not run in parallel (AssemblyInfo).
/// </summary>
public sealed class HeldSqlSnapshotStore(Config config) : SqlSnapshotStore(config)
{
    /// <summary>Makes the SQL snapshot store of an actor system this class (Akka.Hosting: add with HoconAddMode.Prepend).</summary>
    public const string Hocon = $"akka.persistence.snapshot-store.sql.class = \"Crm.Actors.Tests.Support.{nameof(HeldSqlSnapshotStore)}, Crm.Actors.Tests\"";

    /// <summary>While set, a snapshot write waits until it completes before it reaches the database; null: behave.</summary>
    public static TaskCompletionSource? Hold { get; set; }

    /// <summary>Completes once a write is held.</summary>
    public static TaskCompletionSource Holding { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a held write has reached the database.</summary>
    public static TaskCompletionSource Released { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        if (Hold is not { } hold)
        {
            await base.SaveAsync(metadata, snapshot, cancellationToken).ConfigureAwait(false);
            return;
        }
        Holding.TrySetResult();
        await hold.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await base.SaveAsync(metadata, snapshot, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Released.TrySetResult();
        }
    }
}
