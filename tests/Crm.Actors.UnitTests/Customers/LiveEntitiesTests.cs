using Crm.Actors.Customers;

namespace Crm.Actors.UnitTests.Customers;

/// <summary>The node's live entities, least recently used first, held under Customers:MaxLiveEntities.</summary>
public sealed class LiveEntitiesTests
{
    [Fact]
    public void Within_the_limit_nobody_is_asked_to_passivate()
    {
        var live = new LiveEntities<string>(limit: 3);
        Assert.Null(live.Used("a"));
        Assert.Null(live.Used("b"));
        Assert.Null(live.Used("c"));
        Assert.Null(live.Used("a")); // used again: still three
        Assert.Equal(3, live.Count);
    }

    [Fact]
    public void Past_the_limit_the_least_recently_used_is_asked_to_passivate_not_the_oldest_started()
    {
        var live = UsedInOrder(limit: 3, "a", "b", "c", "a"); // b is now the least recently used

        Assert.Equal("b", live.Used("d"));
        Assert.Equal(3, live.Count);
        Assert.Equal("c", live.Used("e"));
        Assert.Equal("a", live.Used("f"));
    }

    [Fact]
    public void An_entity_asked_to_passivate_leaves_the_list_and_comes_back_when_used_again()
    {
        var live = UsedInOrder(limit: 2, "a", "b");
        Assert.Equal("a", live.Used("c"));
        Assert.Equal(2, live.Count);

        // a takes a batch before it stopped: it is live again, and b is now the oldest.
        Assert.Equal("b", live.Used("a"));
        live.Stopped("b"); // b's stop after it left the list changes nothing
        Assert.Equal(2, live.Count);
    }

    [Fact]
    public void A_stopped_entity_frees_its_place()
    {
        var live = UsedInOrder(limit: 2, "a", "b");
        live.Stopped("a");

        Assert.Null(live.Used("c"));
        Assert.Equal(2, live.Count);
    }

    [Fact]
    public void The_limit_is_at_least_one() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LiveEntities<string>(limit: 0));

    /// <summary>A node's live entities after <paramref name="entities"/> each took a batch, in that order.</summary>
    private static LiveEntities<string> UsedInOrder(int limit, params string[] entities)
    {
        var live = new LiveEntities<string>(limit);
        foreach (var entity in entities) live.Used(entity);
        return live;
    }
}
