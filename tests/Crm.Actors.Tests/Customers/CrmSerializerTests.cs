using Akka.Actor;
using Crm.Actors.Customers;
using Crm.Actors.Domain;
using Crm.Actors.Serialization;

namespace Crm.Actors.Tests.Customers;

public sealed class CrmSerializerTests : Akka.TestKit.Xunit.TestKit
{
    private readonly CrmSerializer _serializer;

    public CrmSerializerTests() => _serializer = new CrmSerializer((ExtendedActorSystem)Sys);

    private static readonly Trip Paris = new("bkg_1", "act_paris_louvre", "Skip-the-line Louvre tour", "Paris", "FR", new DateTimeOffset(2026, 12, 9, 9, 0, 0, TimeSpan.Zero));

    public static TheoryData<object, string> StoredFacts => new()
    {
        { new TripBooked(Paris), "trip-booked.v1" },
        { new TripClosed("bkg_1"), "trip-closed.v1" },
    };

    [Theory]
    [MemberData(nameof(StoredFacts))]
    public void Facts_round_trip_under_their_stable_manifest(object fact, string manifest)
    {
        Assert.Equal(manifest, _serializer.Manifest(fact));
        Assert.Equal(fact, _serializer.FromBinary(_serializer.ToBinary(fact), manifest));
    }

    [Fact]
    public void Snapshots_round_trip()
    {
        var snapshot = new CustomerSnapshot([Paris], ["bkg_0"]);
        var back = Assert.IsType<CustomerSnapshot>(_serializer.FromBinary(_serializer.ToBinary(snapshot), "customer-snapshot.v1"));
        Assert.Equal(snapshot.OpenTrips, back.OpenTrips);
        Assert.Equal(snapshot.ClosedBookings, back.ClosedBookings);
    }

    [Fact]
    public void The_stored_form_names_no_clr_type()
    {
        var json = System.Text.Encoding.UTF8.GetString(_serializer.ToBinary(new TripBooked(Paris)));
        Assert.DoesNotContain("Crm.Actors", json);
        Assert.DoesNotContain("Details", json); // derived, not stored
    }

    [Fact]
    public void An_unknown_manifest_is_an_error_not_a_guess() =>
        Assert.ThrowsAny<Exception>(() => _serializer.FromBinary("{}"u8.ToArray(), "trip-rebooked.v9"));
}
