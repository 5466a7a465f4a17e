using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql.Journal;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// Akka.Persistence.Sql's journal with writes and replays slowed down, and writes failed, as <see cref="Chaos"/> says:
/// the real journal over a real database, with the timing of a loaded one. Configured by class name
/// (<see cref="Hocon"/>), so its settings are static; tests that set them do not run in parallel (AssemblyInfo).
/// </summary>
public sealed class ChaosSqlJournal(Config journalConfig) : SqlWriteJournal(journalConfig)
{
    /// <summary>Makes the SQL journal of an actor system this class (Akka.Hosting: add with HoconAddMode.Prepend).</summary>
    public const string Hocon = $"akka.persistence.journal.sql.class = \"Crm.Actors.Tests.Support.{nameof(ChaosSqlJournal)}, Crm.Actors.Tests\"";

    /// <summary>What to do to a write or replay; null: behave.</summary>
    public static JournalChaos? Chaos { get; set; }

    // The plugin reads the actor context when called: it is called first, on the journal's thread, and the answer delayed.
    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        if (Chaos is not { } chaos || writes.Count == 0) return base.WriteMessagesAsync(writes, cancellationToken);
        var key = $"{writes[0].PersistenceId}/{writes[0].LowestSequenceNr}";
        if (chaos.FailWrite(key)) throw new InvalidOperationException($"chaos: the write of {key} failed");
        return Delayed(base.WriteMessagesAsync(writes, cancellationToken), chaos.WriteDelay(key));
    }

    public override Task ReplayMessagesAsync(
        Akka.Actor.IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        var replay = base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
        return Chaos is { } chaos ? Delayed(replay, chaos.ReplayDelay($"{persistenceId}/{fromSequenceNr}")) : replay;
    }

    private static async Task<T> Delayed<T>(Task<T> operation, TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        return await operation.ConfigureAwait(false);
    }

    private static async Task Delayed(Task operation, TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        await operation.ConfigureAwait(false);
    }
}

/// <summary>Delays and failures of journal operations, each a function of the operation's key (reproducible).</summary>
public sealed record JournalChaos(Func<string, TimeSpan> WriteDelay, Func<string, bool> FailWrite, Func<string, TimeSpan> ReplayDelay);
