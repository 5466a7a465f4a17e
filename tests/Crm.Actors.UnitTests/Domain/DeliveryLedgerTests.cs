using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.UnitTests.Domain;

public class DeliveryLedgerTests
{
    private static ulong Key(string id) => DeliveryLedger.KeyOf(id);

    [Fact]
    public void Remembers_what_it_recorded()
    {
        var ledger = DeliveryLedger.Empty.Record([Key("evt-1"), Key("evt-2")], capacity: 8);
        Assert.True(ledger.Contains("evt-1"));
        Assert.True(ledger.Contains("evt-2"));
        Assert.False(ledger.Contains("evt-3"));
    }

    [Fact]
    public void Forgets_the_oldest_beyond_its_capacity()
    {
        var ledger = DeliveryLedger.Empty;
        for (var i = 0; i < 10; i++) ledger = ledger.Record([Key($"evt-{i}")], capacity: 4);

        Assert.Equal(4, ledger.Keys.Length);
        Assert.False(ledger.Contains("evt-5"));
        Assert.All(Enumerable.Range(6, 4), i => Assert.True(ledger.Contains($"evt-{i}")));
    }

    [Fact]
    public void Recording_a_key_again_keeps_one_copy()
    {
        var ledger = DeliveryLedger.Empty.Record([Key("evt-1")], 4).Record([Key("evt-1"), Key("evt-1")], 4);
        Assert.Single(ledger.Keys);
    }

    [Fact]
    public void Capacity_zero_remembers_nothing() =>
        Assert.False(DeliveryLedger.Empty.Record([Key("evt-1")], capacity: 0).Contains("evt-1"));

    [Fact]
    public void Keys_are_stable_across_processes()
    {
        // Keys are journaled: the same id must give the same key on every node and after every upgrade (XxHash3, seed 0).
        // A change here makes every journaled ledger useless: the value was computed once and is kept as it is.
        Assert.Equal(5872550015734969135UL, Key("evt-1"));
        Assert.NotEqual(Key("evt-1"), Key("evt-2"));
    }
}
