using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Crm.Actors.Kafka;
using Crm.Host.Demo;
using Crm.Actors.Testing;
using Crm.Actors.Tests.Support;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Pipeline;

/// <summary>One record of a scenario, with what Braze should make of it.</summary>
/// <param name="BrazeKey">The key of its Braze event (<c>DeliveryAudit.EventKey</c>), or null for a deletion.</param>
/// <param name="Story">Its place in its customer's story; a producer's retry repeats the place of the original.</param>
public sealed record ScenarioRecord(CommittableRecord Record, string Customer, string EventType, string? BrazeKey, int Story, bool IsRetry);

/// <summary>
/// One random interleaving: a few customers, each with a random story of every event type (bookings with and without
/// activity details, cancellations, preparations, conducted activities, deletions, producer retries of earlier events),
/// merged in random order onto one partition of each topic. Deterministic for its seed.
/// </summary>
public sealed class OrderScenario
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private OrderScenario(int seed, IReadOnlyList<ScenarioRecord> records, IReadOnlyList<CatalogActivity> activities)
    {
        Seed = seed;
        Records = records;
        Activities = activities;
    }

    public int Seed { get; }

    /// <summary>In the order read: per topic, offsets ascend.</summary>
    public IReadOnlyList<ScenarioRecord> Records { get; }

    /// <summary>Activities of this scenario, for the catalog (events without details need it).</summary>
    public IReadOnlyList<CatalogActivity> Activities { get; }

    public static OrderScenario Generate(int seed, int partition, int customers)
    {
        var random = new Random(seed);
        var activities = Enumerable.Range(0, 3)
            .Select(k => new CatalogActivity($"act_{seed}_{k}", $"Tour {seed}-{k}", k == 0 ? "Paris" : "Rome", k == 0 ? "FR" : "IT", "tours"))
            .ToList();
        var stories = Enumerable.Range(0, customers).Select(c => Story(random, seed, $"o{seed}_c{c}", activities)).ToList();

        var offsets = new Dictionary<string, long>();
        var records = new List<ScenarioRecord>();
        var next = new int[customers];
        while (records.Count < stories.Sum(s => s.Count))
        {
            var c = random.Next(customers);
            if (next[c] == stories[c].Count) continue;
            var (topic, type, key, value, brazeKey, place, retry) = stories[c][next[c]++];
            var offset = offsets.GetValueOrDefault(topic);
            offsets[topic] = offset + 1;
            records.Add(new ScenarioRecord(
                new CommittableRecord(topic, partition, offset, Encoding.UTF8.GetBytes(key), value, new Timestamp(Start), Generation: 1),
                key, type, brazeKey, place, retry));
        }
        return new OrderScenario(seed, records, activities);
    }

    private static List<(string Topic, string Type, string Key, byte[] Value, string? BrazeKey, int Story, bool Retry)> Story(
        Random random, int seed, string customer, IReadOnlyList<CatalogActivity> activities)
    {
        var story = new List<(string, string, string, byte[], string?, int, bool)>();
        var retriable = new List<(string, string, string, byte[], string?, int, bool)>();
        var bookings = new List<(string Id, CatalogActivity Activity)>();
        var at = Start;
        var steps = random.Next(3, 8);

        void Add(string topic, string type, JsonObject payload)
        {
            at = at.AddMinutes(1);
            var value = Envelope($"evt-{seed}-{customer}-{story.Count}", type, customer, at, payload);
            var brazeKey = DeliveryAudit.Expected(new SampleRecord(topic, customer, value));
            var entry = (topic, type, customer, value, brazeKey, story.Count, false);
            story.Add(entry);
            if (type == "CustomerDeleted") retriable.Clear(); // the erased ledger cannot know what came before
            else retriable.Add(entry);
        }

        JsonObject Activity(CatalogActivity activity, JsonObject payload)
        {
            payload["activity_id"] = activity.ActivityId;
            if (random.Next(2) == 0) return payload; // no details: the entity waits for the catalog
            payload["activity_title"] = activity.Title;
            payload["city"] = activity.City;
            payload["country"] = activity.Country;
            return payload;
        }

        for (var step = 0; step < steps; step++)
        {
            var roll = random.Next(100);
            var activity = activities[random.Next(activities.Count)];
            if (roll < 10)
                Add("accounts", "AccountCreated", new JsonObject { ["email"] = $"{customer}@example.com", ["first_name"] = "Ann", ["marketing_opt_in"] = true });
            else if (roll < 24)
                Add("wishlists", "ActivityWishlisted", Activity(activity, []));
            else if (roll < 36)
                Add("carts", "ActivityAddedToCart", Activity(activity, new JsonObject
                {
                    ["cart_id"] = $"cart_{customer}_{step}",
                    ["price"] = new JsonObject { ["amount"] = 10 + step, ["currency"] = "EUR" },
                }));
            else if (roll < 56)
            {
                var id = $"bkg_{customer}_{step}";
                bookings.Add((id, activity));
                Add("bookings", "BookingCompleted", Activity(activity, new JsonObject
                {
                    ["booking_id"] = id,
                    ["starts_at"] = Start.AddDays(10 + step).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    ["total_price"] = new JsonObject { ["amount"] = 99.5, ["currency"] = "EUR" },
                }));
            }
            else if (roll < 86)
            {
                if (bookings.Count == 0)
                {
                    Add("wishlists", "ActivityWishlisted", Activity(activity, []));
                    continue;
                }
                var (id, booked) = bookings[random.Next(bookings.Count)];
                if (roll < 64) Add("bookings", "BookingCancelled", new JsonObject { ["booking_id"] = id });
                else if (roll < 76) Add("activities", "ActivityPreparationStarted", new JsonObject { ["booking_id"] = id, ["activity_id"] = booked.ActivityId });
                else Add("activities", "ActivityConducted", new JsonObject { ["booking_id"] = id, ["activity_id"] = booked.ActivityId });
            }
            else if (roll < 90)
            {
                bookings.Clear();
                Add("accounts", "CustomerDeleted", []);
            }
            else if (retriable.Count > 0)
                story.Add(retriable[random.Next(retriable.Count)] with { Item7 = true }); // the producer sent it again
            else
                Add("wishlists", "ActivityWishlisted", Activity(activity, []));
        }
        return story;
    }

    private static byte[] Envelope(string eventId, string type, string customer, DateTimeOffset at, JsonObject payload) =>
        Events.Bytes(Events.Envelope(type, payload, customer, eventId, at));
}
