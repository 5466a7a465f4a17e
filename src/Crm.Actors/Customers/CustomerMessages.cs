using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Customers;

/// <summary>Anything addressed to one customer's entity.</summary>
public interface ICustomerMessage
{
    string CustomerId { get; }
}

/// <summary>A decoded domain event and the record it came from.</summary>
public sealed record CustomerEvent(DomainEvent Event, RecordSource Source);

/// <summary>
/// Records of one customer in partition order, handled as one unit: the pipeline sends a customer's next batch only once
/// this one is answered with <see cref="CustomerEventsDone"/>, which comes when Braze accepted (or the gateway
/// dead-lettered) everything derived from them. Sent again, unchanged, when unanswered after <c>Pipeline:RecordTimeout</c>:
/// the entity skips or rejoins what it already handled, so a repeat neither reorders nor duplicates.
/// </summary>
/// <param name="BatchId">Chosen by the sender, echoed in the answer.</param>
public sealed record CustomerEvents(string CustomerId, long BatchId, IReadOnlyList<CustomerEvent> Events) : ICustomerMessage;

/// <summary>Every event of batch <paramref name="BatchId"/> was accepted by Braze, dead-lettered, or had nothing to send.</summary>
public sealed record CustomerEventsDone(string CustomerId, long BatchId);

/// <summary>Asks for the customer's state (support, tests); answered with <see cref="CustomerView"/>.</summary>
public sealed record GetCustomer(string CustomerId) : ICustomerMessage;

public sealed record CustomerView(string CustomerId, IReadOnlyList<Trip> OpenTrips, IReadOnlyList<string> ClosedBookings, long SequenceNr)
{
    /// <summary>How many event ids the delivery ledger remembers.</summary>
    public int DeliveriesRemembered { get; init; }
}

/// <summary>
/// What a snapshot holds: plain lists, so the stored form does not depend on immutable collection types.
/// <paramref name="Delivered"/> and <paramref name="Attributes"/> (the attribute values Braze accepted, name →
/// <see cref="AttributeMemory.KeyOf"/>) were added later: snapshots written before them read as empty.
/// </summary>
public sealed record CustomerSnapshot(
    IReadOnlyList<Trip> OpenTrips, IReadOnlyList<string> ClosedBookings, IReadOnlyList<ulong>? Delivered = null,
    IReadOnlyDictionary<string, ulong>? Attributes = null);
