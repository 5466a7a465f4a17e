using Crm.Actors.Testing;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.UnitTests.Domain;

public class CustomerStateTests
{
    private const string CustomerId = "cus_1";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static BookingCompleted Booked(string bookingId, int startsInDays, string city = "Berlin") =>
        Events.Stamp(new BookingCompleted(bookingId, "act_" + bookingId, Now.AddDays(startsInDays), new ActivityDetails("Tour " + bookingId, city, "DE"), 2, null),
            CustomerId, eventId: "evt_" + bookingId, at: Now);

    private static BookingCancelled Cancelled(string bookingId) =>
        Events.Stamp(new BookingCancelled(bookingId), CustomerId, eventId: "evt_c_" + bookingId, at: Now);

    private static ActivityConducted Conducted(string bookingId) =>
        Events.Stamp(new ActivityConducted(bookingId, "act_" + bookingId, ActivityDetails.Empty), CustomerId, eventId: "evt_d_" + bookingId, at: Now);

    private static ActivityDetails DetailsOf(DomainEvent e) => e switch
    {
        BookingCompleted b => b.Details,
        _ => ActivityDetails.Empty,
    };

    /// <summary>What the customer actor does per event: decide the facts, then apply them.</summary>
    private static CustomerState Handle(CustomerState state, DomainEvent e) => state.ApplyAll(state.Decide(e, DetailsOf(e)));

    private static CustomerState HandleAll(IEnumerable<DomainEvent> events) => events.Aggregate(CustomerState.Empty, Handle);

    private static IEnumerable<string> OpenBookingIds(CustomerState state) =>
        state.OpenTrips.Keys.OrderBy(k => k, StringComparer.Ordinal);

    [Fact]
    public void BookingCompleted_adds_a_trip_with_the_booking_details()
    {
        var booking = Booked("A", 10, "Hamburg");

        var facts = CustomerState.Empty.Decide(booking, booking.Details);
        var state = CustomerState.Empty.ApplyAll(facts);

        var booked = Assert.IsType<TripBooked>(Assert.Single(facts));
        Assert.Equal(new Trip("A", "act_A", "Tour A", "Hamburg", "DE", Now.AddDays(10)), booked.Trip);
        Assert.Equal(booked.Trip, state.FindTrip("A"));
        Assert.Single(state.OpenTrips);
    }

    [Fact]
    public void Trip_takes_the_details_passed_to_Decide_not_those_of_the_event()
    {
        var booking = Booked("A", 10, "Hamburg");
        var enriched = new ActivityDetails("Catalog title", "Munich", "DE");

        var state = CustomerState.Empty.ApplyAll(CustomerState.Empty.Decide(booking, enriched));

        Assert.Equal(enriched, state.FindTrip("A")!.Details);
    }

    [Fact]
    public void BookingCompleted_delivered_many_times_adds_the_trip_once()
    {
        var booking = Booked("A", 10);

        var state = HandleAll([booking, booking, booking]);

        Assert.Equal(["A"], OpenBookingIds(state));
        Assert.Empty(state.Decide(booking, booking.Details));
    }

    [Fact]
    public void Redelivered_BookingCompleted_with_other_details_does_not_replace_the_trip()
    {
        var first = Booked("A", 10, "Hamburg");
        var again = first with { StartsAt = Now.AddDays(20), Details = new ActivityDetails("Other", "Paris", "FR") };

        var state = HandleAll([first, again]);

        Assert.Equal("Hamburg", state.FindTrip("A")!.City);
        Assert.Equal(Now.AddDays(10), state.FindTrip("A")!.StartsAt);
    }

    [Fact]
    public void CustomerDeleted_decides_an_erasure_marker_that_carries_nothing_and_forgets_every_trip()
    {
        var state = HandleAll([Booked("A", 10), Booked("B", 12), Cancelled("A")]);
        var deleted = Events.Stamp(new CustomerDeleted(), CustomerId, eventId: "evt_deleted", at: Now);

        var facts = state.Decide(deleted, ActivityDetails.Empty);

        Assert.Equal([new CustomerErased()], facts);
        Assert.Equal(CustomerState.Empty, state.ApplyAll(facts));
        Assert.Empty(typeof(CustomerErased).GetProperties()); // what the journal keeps in the customer's place
    }

    [Fact]
    public void Applying_the_same_TripBooked_twice_keeps_one_trip()
    {
        var trip = new Trip("A", "act_A", null, null, null, Now.AddDays(1));

        var state = CustomerState.Empty.Apply(new TripBooked(trip)).Apply(new TripBooked(trip));

        Assert.Single(state.OpenTrips);
    }

    [Fact]
    public void BookingCancelled_closes_the_trip()
    {
        var state = HandleAll([Booked("A", 10), Booked("B", 12), Cancelled("A")]);

        Assert.Null(state.FindTrip("A"));
        Assert.Equal(["B"], OpenBookingIds(state));
        Assert.Contains("A", state.ClosedBookings);
    }

    [Fact]
    public void ActivityConducted_closes_the_trip()
    {
        var state = HandleAll([Booked("A", 10), Booked("B", 12), Conducted("B")]);

        Assert.Null(state.FindTrip("B"));
        Assert.Equal(["A"], OpenBookingIds(state));
        Assert.Contains("B", state.ClosedBookings);
    }

    [Fact]
    public void Closing_an_already_closed_booking_decides_nothing()
    {
        var state = HandleAll([Booked("A", 10), Cancelled("A")]);

        Assert.Empty(state.Decide(Cancelled("A"), ActivityDetails.Empty));
        Assert.Empty(state.Decide(Conducted("A"), ActivityDetails.Empty));
    }

    [Fact]
    public void Late_BookingCompleted_after_its_cancellation_never_resurrects_the_trip()
    {
        var state = HandleAll([Cancelled("A"), Booked("A", 10)]);

        Assert.Empty(state.OpenTrips);
        Assert.Empty(state.UpcomingTrips(Now));
    }

    [Fact]
    public void Late_BookingCompleted_after_its_conduct_never_resurrects_the_trip()
    {
        var state = HandleAll([Conducted("A"), Booked("A", 10)]);

        Assert.Empty(state.OpenTrips);
        Assert.Empty(state.UpcomingTrips(Now));
    }

    [Fact]
    public void Late_TripBooked_applied_after_TripClosed_is_ignored()
    {
        // Replaying persisted facts must give the same answer as deciding them.
        var state = CustomerState.Empty
            .Apply(new TripClosed("A"))
            .Apply(new TripBooked(new Trip("A", "act_A", null, null, null, Now.AddDays(3))));

        Assert.Empty(state.OpenTrips);
    }

    [Fact]
    public void Events_that_do_not_concern_trips_decide_nothing()
    {
        var preparation = new ActivityPreparationStarted("A", "act_A", ActivityDetails.Empty)
        {
            EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1,
        };
        var state = HandleAll([Booked("A", 10)]);

        Assert.Empty(state.Decide(preparation, ActivityDetails.Empty));
        Assert.Empty(state.Decide(new ActivityWishlisted("act_X", ActivityDetails.Empty)
        {
            EventId = "w", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1,
        }, ActivityDetails.Empty));
    }

    [Fact]
    public void Final_state_is_the_same_for_every_order_of_the_events()
    {
        DomainEvent[] events = [Booked("A", 5), Booked("B", 3), Cancelled("A"), Conducted("B"), Booked("C", 7, "Hamburg")];
        var permutations = Permutations(events).ToList();
        Assert.Equal(120, permutations.Count);

        foreach (var order in permutations)
        {
            var state = HandleAll(order);
            var description = string.Join(", ", order.Select(e => e.GetType().Name + ":" + (e switch
            {
                BookingCompleted b => b.BookingId,
                BookingCancelled c => c.BookingId,
                ActivityConducted d => d.BookingId,
                _ => "",
            })));

            Assert.True(OpenBookingIds(state).SequenceEqual(["C"]), $"open trips differ for order {description}");
            Assert.Equal(new Trip("C", "act_C", "Tour C", "Hamburg", "DE", Now.AddDays(7)), state.FindTrip("C"));
            Assert.True(state.ClosedBookings.SetEquals(["A", "B"]), $"closed bookings differ for order {description}");
            Assert.Equal([state.FindTrip("C")!], state.UpcomingTrips(Now));
        }
    }

    [Fact]
    public void UpcomingTrips_orders_soonest_first()
    {
        var state = HandleAll([Booked("late", 30), Booked("soon", 1), Booked("middle", 10)]);

        var upcoming = state.UpcomingTrips(Now);

        Assert.Equal(["soon", "middle", "late"], upcoming.Select(t => t.BookingId));
    }

    [Fact]
    public void UpcomingTrips_excludes_trips_starting_before_the_reference_time()
    {
        var state = HandleAll([Booked("past", -1), Booked("future", 1), Booked("far", 3)]);

        Assert.Equal(["future", "far"], state.UpcomingTrips(Now).Select(t => t.BookingId));
        Assert.Equal(["far"], state.UpcomingTrips(Now.AddDays(2)).Select(t => t.BookingId));
        // The past trip is still open (not cancelled, not conducted), just not upcoming.
        Assert.NotNull(state.FindTrip("past"));
    }

    [Fact]
    public void UpcomingTrips_excludes_a_trip_starting_exactly_at_the_reference_time()
    {
        var state = HandleAll([Booked("now", 0), Booked("later", 1)]);

        Assert.Equal(["later"], state.UpcomingTrips(Now).Select(t => t.BookingId));
    }

    [Fact]
    public void UpcomingTrips_compares_instants_across_offsets()
    {
        // 10:00+02:00 is 08:00Z, before 09:00Z; 11:00+01:00 is 10:00Z, after it.
        var before = Booked("before", 0) with { StartsAt = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.FromHours(2)) };
        var after = Booked("after", 0) with { StartsAt = new DateTimeOffset(2026, 11, 26, 11, 0, 0, TimeSpan.FromHours(1)) };

        var state = HandleAll([before, after]);

        Assert.Equal(["after"], state.UpcomingTrips(Now).Select(t => t.BookingId));
    }

    private static IEnumerable<IReadOnlyList<T>> Permutations<T>(IReadOnlyList<T> items)
    {
        if (items.Count <= 1)
        {
            yield return items;
            yield break;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToList();
            foreach (var tail in Permutations(rest))
                yield return [items[i], .. tail];
        }
    }
}
