using System.Runtime.CompilerServices;
using System.Text.Json;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// What a <see cref="LocalBraze"/> accepted, indexed: every event object by its <see cref="DeliveryAudit.EventKey"/> with
/// its position (objects counted in acceptance order) and request number, and every deletion by customer. Built
/// incrementally: asking again only reads the requests accepted since. Thread-safe.
/// </summary>
public sealed class AcceptedIndex
{
    private static readonly ConditionalWeakTable<LocalBraze, AcceptedIndex> Views = new();
    private readonly LocalBraze _braze;
    private int _requests;
    private long _objects;

    private AcceptedIndex(LocalBraze braze) => _braze = braze;

    /// <summary>Each accepted event's sightings, in acceptance order.</summary>
    public Dictionary<string, List<(long Position, int Request)>> Events { get; } = [];

    /// <summary>Per customer, the numbers of the /users/delete requests naming it, in acceptance order.</summary>
    public Dictionary<string, List<int>> Deletions { get; } = [];

    /// <summary>The view of <paramref name="braze"/>, brought up to date.</summary>
    public static AcceptedIndex Of(LocalBraze braze)
    {
        var view = Views.GetValue(braze, b => new AcceptedIndex(b));
        lock (view)
        {
            view.Catch();
            return view;
        }
    }

    private void Catch()
    {
        foreach (var request in _braze.Accepted.Skip(_requests).ToList())
        {
            var number = _requests++;
            var json = request.Json;
            if (request.Path == "/users/delete")
            {
                foreach (var id in json.GetProperty("external_ids").EnumerateArray())
                {
                    var customer = id.GetString()!;
                    if (!Deletions.TryGetValue(customer, out var list)) Deletions[customer] = list = [];
                    list.Add(number);
                }
                continue;
            }
            foreach (var array in new[] { "attributes", "events", "purchases" })
            {
                if (!json.TryGetProperty(array, out var items)) continue;
                foreach (var item in items.EnumerateArray())
                {
                    var position = _objects++;
                    if (array != "events") continue;
                    var key = DeliveryAudit.EventKey(item);
                    if (!Events.TryGetValue(key, out var sightings)) Events[key] = sightings = [];
                    sightings.Add((position, number));
                }
            }
        }
    }
}
