using System.Text;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Testing;

namespace Crm.Actors.UnitTests.Domain;

public class EventDecoderTopicTests
{
    private static byte[] Booking() => Events.Bytes(Events.Example(BookingCancelledType.Instance, "cus_1"));

    [Theory]
    [InlineData("bookings")]
    [InlineData("prod.bookings")]
    [InlineData("bookings-3")]
    [InlineData("marketplace_bookings_v2")]
    [InlineData("legacy-events")] // not named after a default topic: no rule to apply
    public void A_valid_event_on_its_own_topic_or_an_unrelated_one_is_valid(string topic) =>
        Assert.IsType<DecodeResult.Valid>(EventDecoder.Decode(topic, "cus_1"u8, Booking()));

    [Theory]
    [InlineData("accounts")]
    [InlineData("prod.carts")]
    [InlineData("activities-7")]
    public void A_valid_event_on_a_topic_meant_for_other_types_is_malformed(string topic)
    {
        var result = Assert.IsType<DecodeResult.Malformed>(EventDecoder.Decode(topic, "cus_1"u8, Booking()));
        Assert.Contains("does not belong on topic " + topic, result.Reason);
    }

    [Theory]
    [InlineData("prod.bookings", "BookingCancelled,BookingCompleted")]
    [InlineData("accounts-3", "AccountCreated,CustomerDeleted")]
    [InlineData("legacy-events", "AccountCreated,ActivityAddedToCart,ActivityConducted,ActivityPreparationStarted,ActivityWishlisted,BookingCancelled,BookingCompleted,CustomerDeleted")]
    public void The_event_types_a_topic_may_carry_follow_its_name(string topic, string types) =>
        Assert.Equal(types.Split(','), EventCatalog.Default.EventTypesOn(topic).Order(StringComparer.Ordinal));

    [Fact]
    public void Malformed_input_is_reported_as_such_whatever_the_topic() =>
        Assert.IsType<DecodeResult.Malformed>(EventDecoder.Decode("accounts", "cus_1"u8, "{"u8.ToArray()));
}
