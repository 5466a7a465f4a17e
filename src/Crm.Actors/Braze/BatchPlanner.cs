using System.Text;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Braze;

/// <summary>One marketing object waiting for Braze, with the delivery (one Kafka record) it belongs to.</summary>
public sealed record PendingObject(long DeliveryId, MarketingObject Object, RecordSource? Source);

/// <summary>Objects that go to Braze in one request: all /users/track, or all /users/delete.</summary>
public sealed record BrazeBatch(long Id, bool IsDelete, IReadOnlyList<PendingObject> Items)
{
    public IEnumerable<string> Customers => Items.Select(i => i.Object.ExternalId).Distinct(StringComparer.Ordinal);

    /// <summary>The batch's first half and second half, in order (a 413 answer: the request was too large). At least two items.</summary>
    public (IReadOnlyList<PendingObject> First, IReadOnlyList<PendingObject> Second) Halves()
    {
        var half = Items.Count / 2;
        return (Items.Take(half).ToList(), Items.Skip(half).ToList());
    }
}

/// <summary>
/// Chooses the next batch from the queue. Per-customer order is the rule: an object is taken only if no
/// earlier object of the same customer is still queued behind, or in a request in flight. A batch holds
/// objects of one endpoint, of an endpoint whose throttle has room now; Braze takes at most 50 external ids per
/// /users/delete, and a body of at most 4 MB (<see cref="BrazeLimits"/>): objects and bytes are both counted.
/// </summary>
public static class BatchPlanner
{
    public const int MaxDeletesPerRequest = BrazeLimits.MaxDeleteIds;

    /// <summary>
    /// Room for the body's frame around the objects: <c>{"attributes":[],"events":[],"purchases":[]}</c> or
    /// <c>{"external_ids":[]}</c> is under 64 bytes; each object adds its bytes and one comma.
    /// </summary>
    public const int BodyFrameBytes = 64;

    /// <param name="queue">Objects in arrival order.</param>
    /// <param name="customersInFlight">Customers with an object in a request not yet answered.</param>
    /// <param name="maxObjects">Objects per request (<c>Braze:MaxObjectsPerRequest</c>).</param>
    /// <param name="maxBodyBytes">Bytes per request body, frame included; one object larger than this still goes alone.</param>
    /// <param name="canSend">Whether a request may go to /users/delete (true) or /users/track (false) now; null: both.</param>
    public static (IReadOnlyList<PendingObject> Batch, bool IsDelete, List<PendingObject> Remaining) Take(
        IReadOnlyList<PendingObject> queue, IReadOnlySet<string> customersInFlight, int maxObjects,
        int maxBodyBytes = BrazeLimits.MaxRequestBytes, Func<bool, bool>? canSend = null)
    {
        var batch = new List<PendingObject>(Math.Min(maxObjects, queue.Count));
        var rest = new List<PendingObject>(queue.Count);
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        bool? isDelete = null;
        var capacity = maxObjects;
        var bytes = BodyFrameBytes;

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
            var fits = (isDelete is null || isDelete == itemIsDelete) && (canSend?.Invoke(itemIsDelete) ?? true);
            if (!fits || customersInFlight.Contains(customer) || blocked.Contains(customer))
            {
                // Everything later of this customer must wait behind this object.
                blocked.Add(customer);
                rest.Add(item);
                continue;
            }
            var size = Encoding.UTF8.GetByteCount(item.Object.Json) + 1;
            if (batch.Count > 0 && bytes + size > maxBodyBytes)
            {
                // Full by bytes: this object heads the next request.
                for (; i < queue.Count; i++) rest.Add(queue[i]);
                break;
            }
            if (isDelete is null)
            {
                isDelete = itemIsDelete;
                if (itemIsDelete) capacity = Math.Min(maxObjects, MaxDeletesPerRequest);
            }
            batch.Add(item);
            bytes += size;
        }
        return (batch, isDelete ?? false, rest);
    }
}
