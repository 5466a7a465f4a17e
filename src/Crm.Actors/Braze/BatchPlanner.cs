using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Braze;

/// <summary>One marketing object waiting for Braze, with the delivery (one Kafka record) it belongs to.</summary>
public sealed record PendingObject(long DeliveryId, MarketingObject Object, RecordSource? Source);

/// <summary>Objects that go to Braze in one request: all /users/track, or all /users/delete.</summary>
public sealed record BrazeBatch(long Id, bool IsDelete, IReadOnlyList<PendingObject> Items)
{
    public IEnumerable<string> Customers => Items.Select(i => i.Object.ExternalId).Distinct(StringComparer.Ordinal);
}

/// <summary>
/// Chooses the next batch from the queue. Per-customer order is the rule: an object is taken only if no
/// earlier object of the same customer is still queued behind, or in a request in flight. A batch holds
/// objects of one endpoint; Braze takes at most 50 external ids per /users/delete.
/// </summary>
public static class BatchPlanner
{
    public const int MaxDeletesPerRequest = 50;

    public static (IReadOnlyList<PendingObject> Batch, bool IsDelete, List<PendingObject> Remaining) Take(
        IReadOnlyList<PendingObject> queue, IReadOnlySet<string> customersInFlight, int maxObjects)
    {
        var batch = new List<PendingObject>(Math.Min(maxObjects, queue.Count));
        var rest = new List<PendingObject>(queue.Count);
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        bool? isDelete = null;
        var capacity = maxObjects;

        for (var i = 0; i < queue.Count; i++)
        {
            if (batch.Count == capacity)
            {
                for (; i < queue.Count; i++) rest.Add(queue[i]);
                break;
            }
            var item = queue[i];
            var customer = item.Object.ExternalId;
            var itemIsDelete = item.Object.Kind == MarketingObjectKind.UserDelete;
            var fits = isDelete is null || isDelete == itemIsDelete;
            if (!fits || customersInFlight.Contains(customer) || blocked.Contains(customer))
            {
                // Everything later of this customer must wait behind this object.
                blocked.Add(customer);
                rest.Add(item);
                continue;
            }
            if (isDelete is null)
            {
                isDelete = itemIsDelete;
                if (itemIsDelete) capacity = Math.Min(maxObjects, MaxDeletesPerRequest);
            }
            batch.Add(item);
        }
        return (batch, isDelete ?? false, rest);
    }
}
