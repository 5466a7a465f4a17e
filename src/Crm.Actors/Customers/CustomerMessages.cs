using Crm.Actors.Domain;

namespace Crm.Actors.Customers;

/// <summary>Anything addressed to one customer's entity.</summary>
public interface ICustomerMessage
{
    string CustomerId { get; }
}

/// <summary>A decoded domain event for the customer; answered with <c>BrazeGateway.Delivered</c> once Braze has it.</summary>
public sealed record CustomerEvent(DomainEvent Event, RecordSource Source) : ICustomerMessage
{
    public string CustomerId => Event.CustomerId;
}

/// <summary>Asks for the customer's state (support, tests); answered with <see cref="CustomerView"/>.</summary>
public sealed record GetCustomer(string CustomerId) : ICustomerMessage;

public sealed record CustomerView(string CustomerId, IReadOnlyList<Trip> OpenTrips, IReadOnlyList<string> ClosedBookings, long SequenceNr);

/// <summary>What a snapshot holds: plain lists, so the stored form does not depend on immutable collection types.</summary>
public sealed record CustomerSnapshot(IReadOnlyList<Trip> OpenTrips, IReadOnlyList<string> ClosedBookings);
