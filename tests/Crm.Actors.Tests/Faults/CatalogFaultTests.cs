using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Faults;

/// <summary>
/// The Activity Catalog misbehaves while the whole service runs: down, slower than the client's timeout, or not
/// knowing some activities. Outages delay enrichment but never degrade it; unknown activities go out without details.
/// </summary>
public sealed class CatalogFaultTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = FaultRecovery.Patience;

    /// <summary>Braze events whose properties carry the activity's details.</summary>
    private static readonly HashSet<string> EventsWithDetails =
        ["activity_wishlisted", "activity_added_to_cart", "booking_completed", "activity_preparation_started", "activity_conducted"];

    [Fact]
    public async Task Catalog_down_for_the_first_lookups_delays_enrichment_but_never_degrades_it()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var produced = deployment.ProduceCustomers(30, seed: 201);
        var budget = new FaultBudget(10);
        deployment.Catalog.Override = _ => budget.TryTake() ? (503, TimeSpan.Zero) : null;

        await using var host = await deployment.StartHostAsync();
        var (count, deliveredAt, state) = await FaultRecovery.Recovered(deployment, host, produced, "Catalog 503 (first 10 lookups)", budget);
        Assert.True(deployment.Catalog.Requests > budget.Size, "the catalog was never asked again after its outage");
        AssertNothingHalfEnriched(deployment);
    }

    [Fact]
    public async Task Catalog_slower_than_its_timeout_is_given_up_on_and_retried()
    {
        var delay = TimeSpan.FromSeconds(3); // Catalog:RequestTimeout is 1 s in the deployment
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var produced = deployment.ProduceCustomers(30, seed: 202);
        var budget = new FaultBudget(6);
        var lookups = new ConcurrentQueue<(string Id, long At, bool Slow)>();
        deployment.Catalog.Override = id =>
        {
            var slow = budget.TryTake();
            lookups.Enqueue((id, Stopwatch.GetTimestamp(), slow));
            return slow ? (503, delay) : null; // were it ever answered, the slow answer would be a failure too
        };

        await using var host = await deployment.StartHostAsync();
        var (count, deliveredAt, state) = await FaultRecovery.Recovered(deployment, host, produced, "Catalog answers after 3 s, past the 1 s timeout (first 6 lookups)", budget);
        AssertNothingHalfEnriched(deployment);
        // The client gave up at its timeout: each slow lookup was asked again before its answer would have come.
        var all = lookups.ToList();
        foreach (var (id, at, _) in all.Where(l => l.Slow))
        {
            var retry = all.FirstOrDefault(l => l.Id == id && l.At > at);
            Assert.True(retry.Id is not null, $"the slow lookup of {id} was never retried");
            var after = Stopwatch.GetElapsedTime(at, retry.At);
            Assert.True(after < delay, $"the slow lookup of {id} was retried only {after.TotalSeconds:F1} s later: the client waited for the slow answer");
        }
    }

    [Fact]
    public async Task Activities_unknown_to_the_catalog_go_out_without_details_and_are_still_delivered()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        string[] unknown = ["act_paris_louvre", "act_rome_colosseum", "act_lis_tram", "act_prg_castle"];
        foreach (var id in unknown) Assert.True(deployment.Catalog.Activities.TryRemove(id, out _));
        long lastUnknownLookupAt = 0;
        deployment.Catalog.Override = id =>
        {
            if (unknown.Contains(id)) Volatile.Write(ref lastUnknownLookupAt, Stopwatch.GetTimestamp());
            return null; // the catalog answers as usual: 404 for the removed activities
        };
        var produced = deployment.ProduceCustomers(30, seed: 203);
        var bookings = produced.Select(Booking).OfType<ProducedBooking>().ToList();
        Assert.Contains(bookings, b => unknown.Contains(b.ActivityId) && !b.CarriesDetails); // the sample exercises the 404 path

        await using var host = await deployment.StartHostAsync();
        await FaultRecovery.Recovered(deployment, host, produced, "Catalog 404 for 4 of 16 activities", faultEndedAt: Volatile.Read(ref lastUnknownLookupAt));
        Assert.NotEqual(0, Volatile.Read(ref lastUnknownLookupAt));
        AssertNothingHalfEnriched(deployment);

        // A booking of an unknown activity keeps what it carried; without details it reaches Braze without them.
        var sent = BrazeEvents(deployment.Braze, "booking_completed")
            .GroupBy(p => p.GetProperty("booking_id").GetString()!)
            .ToDictionary(g => g.Key, g => g.First());
        foreach (var booking in bookings.Where(b => unknown.Contains(b.ActivityId)))
        {
            var properties = sent[booking.BookingId];
            if (booking.CarriesDetails)
            {
                Assert.NotNull(Property(properties, "city"));
                Assert.NotNull(Property(properties, "activity_title"));
            }
            else
            {
                Assert.Null(Property(properties, "city"));
                Assert.Null(Property(properties, "activity_title"));
                Assert.Null(Property(properties, "country"));
            }
        }
    }

    /// <summary>
    /// Every event of an activity the catalog knows carries its city, title and country: carried by the event, taken
    /// from the customer's trip, or looked up. None went out half-enriched because of a catalog fault.
    /// </summary>
    private static void AssertNothingHalfEnriched(PipelineDeployment deployment)
    {
        var known = deployment.Catalog.Activities;
        var events = deployment.Braze.AcceptedObjects()
            .Where(o => o.Array == "events" && EventsWithDetails.Contains(o.Object.GetProperty("name").GetString()!))
            .Select(o => (Name: o.Object.GetProperty("name").GetString()!, Properties: o.Object.GetProperty("properties")))
            .ToList();
        Assert.Contains(events, e => e.Name == "booking_completed");
        var checkedEvents = 0;
        foreach (var (name, properties) in events)
        {
            if (!known.TryGetValue(properties.GetProperty("activity_id").GetString()!, out var activity)) continue;
            checkedEvents++;
            var what = $"{name} {properties.GetRawText()}";
            Assert.True(Property(properties, "city") == activity.City, $"{what}: city should be {activity.City}");
            Assert.True(Property(properties, "activity_title") == activity.Title, $"{what}: activity_title should be {activity.Title}");
            Assert.True(Property(properties, "country") == activity.Country, $"{what}: country should be {activity.Country}");
        }
        Assert.True(checkedEvents > 0);
    }

    private static IEnumerable<JsonElement> BrazeEvents(LocalBraze braze, string name) =>
        braze.AcceptedObjects()
            .Where(o => o.Array == "events" && o.Object.GetProperty("name").GetString() == name)
            .Select(o => o.Object.GetProperty("properties"));

    private static string? Property(JsonElement properties, string name) =>
        properties.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record ProducedBooking(string BookingId, string ActivityId, bool CarriesDetails);

    private static ProducedBooking? Booking(SampleRecord record)
    {
        using var document = JsonDocument.Parse(record.Value);
        var root = document.RootElement;
        if (root.GetProperty("event_type").GetString() != "BookingCompleted") return null;
        var payload = root.GetProperty("payload");
        return new ProducedBooking(
            payload.GetProperty("booking_id").GetString()!,
            payload.GetProperty("activity_id").GetString()!,
            payload.TryGetProperty("city", out _));
    }
}
