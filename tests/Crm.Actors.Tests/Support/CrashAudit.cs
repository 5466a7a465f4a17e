using System.Text.Json;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Host.Demo;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// What a crash (SIGKILL of a node) made Braze receive twice, and whether the fault explains each duplicate. Braze
/// does not deduplicate, so the service may send an event again only when its record was read again (its offset was
/// not committed at the kill) and its acceptance was not yet in the customer's delivery ledger (journal and snapshots
/// as the kill left them): the requests in flight at the kill, and acceptances the service had heard but not yet
/// written down.
/// </summary>
/// <param name="Duplicates">Event objects Braze accepted more than once (second and later sightings).</param>
/// <param name="InFlightRequests">Requests Braze had received and not yet answered at the kill.</param>
/// <param name="InFlightObjects">Objects, of all kinds, in those requests.</param>
/// <param name="InFlightDuplicates">Duplicates whose first sending was in such a request.</param>
/// <param name="UnrecordedRequests">Requests answered before the kill with an event not yet in its ledger that was sent again.</param>
/// <param name="UnrecordedObjects">Objects, of all kinds, in those requests.</param>
/// <param name="UnrecordedDuplicates">Duplicates whose first sending was in such a request.</param>
/// <param name="Unexplained">Duplicates the fault does not explain (a bug), described.</param>
public sealed record CrashReport(
    int Duplicates, int InFlightRequests, int InFlightObjects, int InFlightDuplicates,
    int UnrecordedRequests, int UnrecordedObjects, int UnrecordedDuplicates, IReadOnlyList<string> Unexplained)
{
    /// <summary>Objects in every request the crash may repeat: the bound of <see cref="Duplicates"/>.</summary>
    public int Bound => InFlightObjects + UnrecordedObjects;

    public override string ToString() =>
        $"{Duplicates} duplicates (bound {Bound}): {InFlightDuplicates} from {InFlightRequests} requests in flight at the kill " +
        $"({InFlightObjects} objects), {UnrecordedDuplicates} from {UnrecordedRequests} requests answered but not yet in the ledger " +
        $"({UnrecordedObjects} objects), {Unexplained.Count} unexplained" +
        (Unexplained.Count == 0 ? "" : ":\n" + string.Join("\n", Unexplained.Take(10)));
}

public static class CrashAudit
{

    /// <param name="killedAt">Taken just before the kill signal was sent.</param>
    /// <param name="exitedAt">Taken once the killed process was gone (no request of it arrives later).</param>
    /// <param name="ledger">The delivery ledger's keys as the journal held them after the kill.</param>
    /// <param name="committedAtKill">The group's committed offsets (next to read) right after the kill, by topic and partition.</param>
    /// <param name="offsets">Where each produced event's record sits (see <see cref="Offsets"/>).</param>
    public static CrashReport Explain(
        IReadOnlyCollection<SampleRecord> produced, LocalBraze braze, DateTimeOffset killedAt, DateTimeOffset exitedAt, IReadOnlySet<ulong> ledger,
        IReadOnlyDictionary<(string Topic, int Partition), long> committedAtKill,
        IReadOnlyDictionary<string, (string Topic, int Partition, long Offset)> offsets)
    {
        var eventIds = produced.Select(r => (Key: DeliveryAudit.Expected(r), Id: EventId(r))).Where(e => e.Key is not null)
            .GroupBy(e => e.Key!).ToDictionary(g => g.Key, g => g.First().Id);
        var requests = braze.Accepted.Where(r => r.Path == "/users/track").ToList();
        // Sent by the killed node, and not answered before the kill.
        bool InFlight(BrazeRequest request) => request.At <= exitedAt &&
            (!braze.AnsweredAt.TryGetValue(request, out var answered) || answered >= killedAt);
        var inFlightRequests = requests.Where(InFlight).ToList();

        var sightings = requests
            .SelectMany(r => Events(r).Select(key => (Key: key, Request: r)))
            .Where(s => eventIds.ContainsKey(s.Key))
            .GroupBy(s => s.Key)
            .Where(g => g.Count() > 1)
            .ToList();
        int duplicates = 0, inFlight = 0, unrecorded = 0;
        var unrecordedRequests = new HashSet<BrazeRequest>();
        var unexplained = new List<string>();
        foreach (var sighting in sightings)
        {
            duplicates += sighting.Count() - 1;
            var first = sighting.First().Request;
            var (topic, partition, offset) = offsets[sighting.Key];
            var readAgain = offset >= committedAtKill.GetValueOrDefault((topic, partition), 0);
            var recorded = ledger.Contains(DeliveryLedger.KeyOf(eventIds[sighting.Key]));
            if (!readAgain || recorded)
            {
                unexplained.Add($"{sighting.Key} ({topic}[{partition}]@{offset}) sent {sighting.Count()} times; " +
                    (readAgain ? "it was in the ledger" : $"its offset was committed ({committedAtKill.GetValueOrDefault((topic, partition))})"));
                continue;
            }
            if (InFlight(first)) inFlight += sighting.Count() - 1;
            else
            {
                unrecorded += sighting.Count() - 1;
                unrecordedRequests.Add(first);
            }
        }
        return new CrashReport(duplicates, inFlightRequests.Count, inFlightRequests.Sum(ObjectCount), inFlight,
            unrecordedRequests.Count, unrecordedRequests.Sum(ObjectCount), unrecorded, unexplained);
    }

    /// <summary>Where each produced event's record sits, read back from the deployment's topics.</summary>
    public static Dictionary<string, (string Topic, int Partition, long Offset)> Offsets(PipelineDeployment deployment)
    {
        var offsets = new Dictionary<string, (string, int, long)>();
        foreach (var topic in deployment.Topics.Values)
            foreach (var record in deployment.Kafka.ReadAll(topic))
                if (DeliveryAudit.Expected(new SampleRecord(topic, "", record.Message.Value ?? [])) is { } key)
                    offsets.TryAdd(key, (topic, record.Partition.Value, record.Offset.Value));
        return offsets;
    }

    /// <summary>The committed offsets of the deployment's group, by topic and partition.</summary>
    public static Dictionary<(string Topic, int Partition), long> Committed(PipelineDeployment deployment) =>
        deployment.Topics.Values
            .SelectMany(topic => deployment.Kafka.CommittedOffsets(deployment.Group, topic).Select(kv => (Key: (topic, kv.Key), kv.Value)))
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    private static IEnumerable<string> Events(BrazeRequest request) =>
        request.Json.TryGetProperty("events", out var events) ? events.EnumerateArray().Select(DeliveryAudit.EventKey) : [];

    private static int ObjectCount(BrazeRequest request) =>
        new[] { "attributes", "events", "purchases" }.Sum(array => request.Json.TryGetProperty(array, out var items) ? items.GetArrayLength() : 0);

    private static string EventId(SampleRecord record)
    {
        try
        {
            using var json = JsonDocument.Parse(record.Value);
            return json.RootElement.GetProperty("event_id").GetString() ?? "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "";
        }
    }
}
