using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Testing;

/// <summary>What the customer entity asks an event's type, for tests of the pure parts: the contract's eight types.</summary>
public static class EventTypeDispatch
{
    public static IReadOnlyList<ICustomerStateEvent> Decide(this CustomerState state, DomainEvent e, ActivityDetails details) =>
        EventCatalog.Default.Of(e).Decide(e, state, details);

    public static IReadOnlyList<MarketingObject> Map(DomainEvent e, CustomerState before, CustomerState after, ActivityDetails details) =>
        EventCatalog.Default.Of(e).Map(e, before, after, details);
}
