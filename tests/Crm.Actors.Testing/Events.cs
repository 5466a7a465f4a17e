using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Testing;

/// <summary>
/// The one set of builders for records and domain events every test uses: envelopes as producers write them
/// (<c>domain-events.md</c>), each type's complete example payload, and decoded events with their envelope fields set.
/// Defaults are a fixed customer and time, so that a test changes only what it is about.
/// </summary>
public static class Events
{
    public const string CustomerId = "cus_1001";
    public const string EventId = "0d6f1c4e-6b1a-4f0e-9d3e-1f2a3b4c5d6e";

    /// <summary>2026-11-26T09:15:00Z, the default <c>occurred_at</c>.</summary>
    public static readonly DateTimeOffset At = new(2026, 11, 26, 9, 15, 0, TimeSpan.Zero);

    private static long _eventNumber;

    /// <summary>The envelope of <c>domain-events.md</c> around <paramref name="payload"/>.</summary>
    public static JsonObject Envelope(
        string eventType, JsonObject payload, string customerId = CustomerId, string eventId = EventId, DateTimeOffset? occurredAt = null) => new()
    {
        ["event_id"] = eventId,
        ["event_type"] = eventType,
        ["schema_version"] = 1,
        ["occurred_at"] = Iso(occurredAt ?? At),
        ["customer_id"] = customerId,
        ["payload"] = payload,
    };

    /// <summary>An envelope of <paramref name="type"/> with its complete example payload.</summary>
    public static JsonObject Example(EventType type, string customerId = CustomerId, string eventId = EventId) =>
        Envelope(type.Name, type.ExamplePayload, customerId, eventId);

    /// <summary>A record value: the JSON's UTF-8 bytes.</summary>
    public static byte[] Bytes(JsonNode value) => Encoding.UTF8.GetBytes(value.ToJsonString());

    /// <summary>A record key: the customer id's UTF-8 bytes.</summary>
    public static byte[] Key(string customerId = CustomerId) => Encoding.UTF8.GetBytes(customerId);

    /// <summary>A unique event id, for tests that need many events.</summary>
    public static string NewEventId() => $"evt-{Interlocked.Increment(ref _eventNumber)}";

    /// <summary>
    /// <paramref name="e"/> with its envelope fields: a new event id unless given, at <paramref name="at"/> (default
    /// <see cref="At"/>) plus <paramref name="minutes"/>.
    /// </summary>
    public static T Stamp<T>(T e, string customerId = CustomerId, int minutes = 0, string? eventId = null, DateTimeOffset? at = null) where T : DomainEvent =>
        new Envelope(eventId ?? NewEventId(), "", 1, (at ?? At).AddMinutes(minutes), customerId).Stamp(e);

    public static readonly ActivityDetails Louvre = new("Skip-the-line Louvre tour", "Paris", "FR");

    public static AccountCreated Account(string customerId = CustomerId, string email = "anna@example.com", string? firstName = "Anna",
        string? lastName = "Schmidt", string? locale = "de-DE", string? country = "DE", bool? optIn = true) =>
        Stamp(new AccountCreated(email, firstName, lastName, locale, country, optIn), customerId);

    public static BookingCompleted Booking(string bookingId, string customerId = CustomerId, string activityId = "act_paris_louvre",
        DateTimeOffset? startsAt = null, ActivityDetails? details = null, int? participants = 2, Money? price = null, int minutes = 0) =>
        Stamp(new BookingCompleted(bookingId, activityId, startsAt ?? At.AddDays(10), details ?? Louvre, participants, price), customerId, minutes);

    public static BookingCancelled Cancelled(string bookingId, string customerId = CustomerId, int minutes = 0) =>
        Stamp(new BookingCancelled(bookingId), customerId, minutes);

    public static ActivityPreparationStarted Preparing(string bookingId, string customerId = CustomerId, string activityId = "act_paris_louvre",
        ActivityDetails? details = null, int minutes = 0) =>
        Stamp(new ActivityPreparationStarted(bookingId, activityId, details ?? ActivityDetails.Empty), customerId, minutes);

    public static ActivityConducted Conducted(string bookingId, string customerId = CustomerId, string activityId = "act_paris_louvre",
        ActivityDetails? details = null, int minutes = 0) =>
        Stamp(new ActivityConducted(bookingId, activityId, details ?? ActivityDetails.Empty), customerId, minutes);

    public static ActivityWishlisted Wishlisted(string activityId, string customerId = CustomerId, ActivityDetails? details = null, int minutes = 0) =>
        Stamp(new ActivityWishlisted(activityId, details ?? ActivityDetails.Empty), customerId, minutes);

    public static CustomerDeleted Deleted(string customerId = CustomerId, int minutes = 0) => Stamp(new CustomerDeleted(), customerId, minutes);

    /// <summary>ISO 8601 in UTC with a Z, as producers write <c>occurred_at</c>.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
