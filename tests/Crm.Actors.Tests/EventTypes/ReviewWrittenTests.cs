using System.Text.Json.Nodes;
using Crm.Actors.EventTypes;
using Crm.Actors.Hosting;
using Crm.Actors.Testing;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;

namespace Crm.Actors.Tests.EventTypes;

/// <summary>An event type the product does not name, registered through the hosting chain, on the whole path.</summary>
public sealed class ReviewWrittenTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Its_definition_keeps_the_rules_of_every_event_type() =>
        Assert.Empty(EventTypeChecks.Problems(ReviewWrittenType.Instance, EventCatalog.Default.With([ReviewWrittenType.Instance])));

    [Fact]
    public async Task A_review_reaches_braze_with_its_trips_activity_and_a_bad_rating_reaches_the_dead_letter_topic()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        deployment.Topics["reviews"] = kafka.NewTopic("reviews");
        deployment.Settings["Kafka:Topics"] += "," + deployment.Topics["reviews"];
        SampleRecord Record(string topic, JsonObject envelope) => new(topic, Events.CustomerId, Events.Bytes(envelope));
        var badRating = Record("reviews", Events.Envelope("ReviewWritten", new JsonObject { ["booking_id"] = "bkg_1", ["rating"] = 7 }, eventId: "evt-3"));
        bool Accepted(string name) => deployment.Braze.AcceptedObjects().Any(o => o.Array == "events" && o.Object.GetProperty("name").GetString() == name);
        // The booking first, on its own topic: order holds per partition, not across topics, so the review is produced
        // once the trip it names is in the customer's state.
        deployment.Produce([Record("bookings", Events.Example(BookingCompletedType.Instance, eventId: "evt-1"))]);

        await using var host = await CrmTestHost.StartAsync(deployment.Settings, akka => akka.WithEventTypes(ReviewWrittenType.Instance));
        await PipelineDeployment.WaitUntil(() => Accepted("booking_completed"), Patience, deployment.CommitState);
        deployment.Produce(
        [
            Record("reviews", Events.Envelope("ReviewWritten", new JsonObject { ["booking_id"] = "bkg_1", ["rating"] = 5 }, eventId: "evt-2")),
            badRating,
        ]);

        await PipelineDeployment.WaitUntil(() => Accepted("review_written") && deployment.AllCommitted(), Patience, deployment.CommitState);
        var review = deployment.Braze.AcceptedObjects().Single(o => o.Array == "events" && o.Object.GetProperty("name").GetString() == "review_written").Object;
        var properties = review.GetProperty("properties");
        Assert.Equal("bkg_1", properties.GetProperty("booking_id").GetString());
        Assert.Equal("act_paris_louvre", properties.GetProperty("activity_id").GetString()); // the booked trip's
        Assert.Equal(5, properties.GetProperty("rating").GetInt32());

        var letter = Assert.Single(kafka.ReadAll(deployment.DeadLetterTopic));
        Assert.Equal(badRating.Value, letter.Message.Value);
        Assert.Equal("rating is 7, above 5", letter.Message.Headers.Text("crm-error"));
    }
}
