using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Domain.BrazeObjects;

namespace Crm.Actors.EventTypes;

public sealed record CustomerDeleted : DomainEvent;

/// <summary>accounts / CustomerDeleted: <c>POST /users/delete</c>; the customer's persisted state is erased first.</summary>
public sealed class CustomerDeletedType : EventType<CustomerDeleted>
{
    public static readonly CustomerDeletedType Instance = new();

    public override string Name => "CustomerDeleted";
    public override string DefaultTopic => "accounts";
    public override string? BrazeEventName => null;
    public override JsonObject ExamplePayload => new();
    public override bool ErasesCustomer => true;

    protected override CustomerDeleted Read(Payload payload) => new();

    protected override IReadOnlyList<ICustomerStateEvent> Decide(CustomerDeleted e, CustomerState state, ActivityDetails details) =>
        [new CustomerErased()];

    protected override IReadOnlyList<MarketingObject> Map(CustomerDeleted e, CustomerState before, CustomerState after, ActivityDetails details) =>
        [UserDelete(e)];
}
