using System.Text;
using Confluent.Kafka;
using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;

namespace Crm.Actors.Tests.Faults;

/// <summary>Every malformed kind of the contract, and worse, mixed into real traffic through the whole service.</summary>
public sealed class PoisonInputTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static byte[] Envelope(string customer, string eventId, string eventType = "BookingCancelled",
        string schemaVersion = "1", string occurredAt = "\"2026-11-26T09:00:00Z\"", string payload = """{"booking_id":"b1"}""",
        string? customerIdJson = null) =>
        Encoding.UTF8.GetBytes(
            $$"""{"event_id":"{{eventId}}","event_type":"{{eventType}}","schema_version":{{schemaVersion}},"occurred_at":{{occurredAt}},"customer_id":{{customerIdJson ?? "\"" + customer + "\""}},"payload":{{payload}}}""");

    [Fact]
    public async Task Each_poison_record_reaches_the_dead_letter_topic_with_its_reason_and_the_rest_flows()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var longId = new string('c', 129);
        var poison = new (string Name, string Topic, string Key, byte[] Value, string Reason)[]
        {
            ("not JSON", "bookings", "p1", "{booking: yes"u8.ToArray(), "not JSON"),
            ("JSON array", "bookings", "p2", "[1,2,3]"u8.ToArray(), "not an object"),
            ("JSON string", "bookings", "p3", "\"hello\""u8.ToArray(), "not an object"),
            ("event_id missing", "bookings", "p4", Encoding.UTF8.GetBytes("""{"event_type":"BookingCancelled","schema_version":1,"occurred_at":"2026-11-26T09:00:00Z","customer_id":"p4","payload":{"booking_id":"b"}}"""), "event_id is missing"),
            ("customer_id empty", "bookings", "", Envelope("", "e5"), "customer_id is empty"),
            ("schema_version a string", "bookings", "p6", Envelope("p6", "e6", schemaVersion: "\"1\""), "schema_version is not an integer"),
            ("schema_version 0", "bookings", "p7", Envelope("p7", "e7", schemaVersion: "0"), "schema_version is 0"),
            ("occurred_at unparsable", "bookings", "p8", Envelope("p8", "e8", occurredAt: "\"yesterday\""), "occurred_at"),
            ("occurred_at without offset", "bookings", "p9", Envelope("p9", "e9", occurredAt: "\"2026-11-26T09:00:00\""), "occurred_at"),
            ("customer_id over 128", "bookings", longId, Envelope(longId, "e10"), "over 128"),
            ("key differs", "bookings", "someone-else", Envelope("p11", "e11"), "record key differs"),
            ("payload missing field", "bookings", "p12", Envelope("p12", "e12", payload: "{}"), "booking_id is missing"),
            ("payload not an object", "bookings", "p13", Envelope("p13", "e13", payload: "[]"), "payload"),
            ("invalid UTF-8", "bookings", "p14", [.. Envelope("p14", "e14")[..20], 0xC3, 0x28, 0xFF, .. Envelope("p14", "e14")[20..]], "UTF-8"),
            ("deep nesting", "bookings", "p15", Envelope("p15", "e15", payload: "{\"booking_id\":\"b\",\"x\":" + new string('[', 200) + new string(']', 200) + "}"), "depth"),
            ("huge value", "bookings", "p16", Envelope("p16", "e16", payload: $$"""{"booking_id":"b","note":"{{new string('x', 1_100_000)}}"}"""), "1 MiB"),
            ("valid event on an unexpected topic", "accounts", "p17", Envelope("p17", "e17"), "does not belong on topic"),
        };
        var samples = new SampleEvents(seed: 41);
        var valid = Enumerable.Range(0, 10).SelectMany(i => samples.Customer($"ok_{i}", DateTimeOffset.UtcNow)).ToList();
        var unknown = samples.Record("bookings", "BookingRated", "p18", DateTimeOffset.UtcNow, new System.Text.Json.Nodes.JsonObject { ["stars"] = 5 });

        // Poison first, between and after the valid records: nothing may stop the stream.
        deployment.Produce(poison.Take(8).Select(p => new SampleRecord(p.Topic, p.Key, p.Value)));
        deployment.Produce(valid.Take(valid.Count / 2));
        deployment.Produce(poison.Skip(8).Select(p => new SampleRecord(p.Topic, p.Key, p.Value)).Append(unknown));
        deployment.Produce(valid.Skip(valid.Count / 2));

        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        await PipelineDeployment.WaitUntil(() => deployment.Count(valid).Lost == 0 && stats.DeadLettered == poison.Length && deployment.AllCommitted(), Patience,
            () => $"delivered {deployment.Count(valid).Delivered}/{deployment.Count(valid).Sent}, dead letters {stats.DeadLettered}/{poison.Length}");

        var letters = kafka.ReadAll(deployment.DeadLetterTopic);
        foreach (var (name, topic, key, value, reason) in poison)
        {
            var letter = Assert.Single(letters, l => l.Message.Value.AsSpan().SequenceEqual(value));
            Assert.True(letter.Message.Headers.Text("crm-error")!.Contains(reason, StringComparison.Ordinal),
                $"{name}: reason '{letter.Message.Headers.Text("crm-error")}' does not mention '{reason}'");
            Assert.Equal(key, Encoding.UTF8.GetString(letter.Message.Key ?? []));
            Assert.Equal(deployment.Topics[topic], letter.Message.Headers.Text("crm-source-topic"));
        }
        Assert.Equal(poison.Length, letters.Count);
        Assert.Equal(1, stats.SkippedByType.GetValueOrDefault("BookingRated"));
        Assert.Equal(0, deployment.Count(valid).Duplicates);
    }

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static Headers HeadersOf(params (string Key, string? Value)[] headers)
    {
        var result = new Headers();
        foreach (var (key, value) in headers) result.Add(key, value is null ? null : Encoding.UTF8.GetBytes(value));
        return result;
    }

    [Fact]
    public async Task Dead_letters_copy_null_and_empty_keys_and_values_and_every_header_and_one_leading_bom_is_accepted()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var samples = new SampleEvents(seed: 43);
        var account = samples.Record("accounts", "AccountCreated", "bom_1", DateTimeOffset.UtcNow, new System.Text.Json.Nodes.JsonObject { ["email"] = "bom@example.com" });
        var traced = HeadersOf(("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), ("origin", "carts-service"),
            ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02"), ("x-empty", ""), ("x-null", null));
        var poison = new (string Name, string Topic, byte[]? Key, byte[]? Value, Headers? Headers, string Reason)[]
        {
            ("tombstone", "bookings", "c1"u8.ToArray(), null, null, "the value is null (a tombstone)"),
            ("null key and value", "bookings", null, null, null, "the value is null (a tombstone)"),
            ("null key", "bookings", null, "not json"u8.ToArray(), null, "not JSON"),
            ("empty key, empty value", "bookings", [], [], null, "value is empty"),
            ("headers", "carts", "c5"u8.ToArray(), "not json"u8.ToArray(), traced, "not JSON"),
            ("two byte-order marks", "accounts", "bom_2"u8.ToArray(), [.. Bom, .. Bom, .. account.Value], null, "not JSON"),
            ("a byte-order mark after the object", "accounts", "bom_3"u8.ToArray(), [.. account.Value, .. Bom], null, "not JSON"),
        };
        foreach (var p in poison) kafka.Produce(deployment.Topics[p.Topic], p.Key, p.Value, p.Headers);
        // A valid event written through a text writer that adds a byte-order mark, with headers of its own: delivered.
        kafka.Produce(deployment.Topics["accounts"], "bom_1"u8.ToArray(), [.. Bom, .. account.Value], traced);
        kafka.Flush();

        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        await PipelineDeployment.WaitUntil(() => deployment.Count([account]).Delivered == 1 && stats.DeadLettered == poison.Length && deployment.AllCommitted(),
            Patience, () => $"delivered {deployment.Count([account]).Delivered}/1, dead letters {stats.DeadLettered}/{poison.Length}");

        var letters = kafka.ReadAll(deployment.DeadLetterTopic);
        Assert.Equal(poison.Length, letters.Count);
        foreach (var (name, topic, key, value, headers, reason) in poison)
        {
            var letter = Assert.Single(letters, l => l.Message.Headers.Text("crm-source-topic") == deployment.Topics[topic] &&
                Equal(l.Message.Key, key) && Equal(l.Message.Value, value));
            // Every original header, in order, duplicates and null values included, then the crm-* headers.
            var expected = (headers ?? []).Select(h => (h.Key, Value: h.GetValueBytes()))
                .Append((Key: "crm-error", Value: Encoding.UTF8.GetBytes(reason)))
                .Append((Key: "crm-source-topic", Value: Encoding.UTF8.GetBytes(deployment.Topics[topic])))
                .ToList();
            var actual = letter.Message.Headers.Select(h => (h.Key, Value: h.GetValueBytes())).ToList();
            Assert.True(actual.Count == expected.Count + 2, $"{name}: headers {string.Join(", ", actual.Select(h => h.Key))}");
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Key, actual[i].Key);
                if (actual[i].Key == "crm-error") // the reason names the fault; the parser's detail follows
                    Assert.Contains(reason, Encoding.UTF8.GetString(actual[i].Value!));
                else
                    Assert.True(Equal(actual[i].Value, expected[i].Value), $"{name}: header {i} ({actual[i].Key}) differs");
            }
            Assert.Equal(["crm-source-partition", "crm-source-offset"], actual.Skip(expected.Count).Select(h => h.Key));
        }
        var attributes = Assert.Single(deployment.Braze.AcceptedObjects(), o => o.Array == "attributes" && o.Object.GetProperty("external_id").GetString() == "bom_1");
        Assert.Equal("bom@example.com", attributes.Object.GetProperty("email").GetString());
    }

    /// <summary>Byte for byte, null only equal to null.</summary>
    private static bool Equal(byte[]? actual, byte[]? expected) =>
        actual is null ? expected is null : expected is not null && actual.AsSpan().SequenceEqual(expected);
}
