using Crm.Actors.Braze;

namespace Crm.Actors.UnitTests.Braze;

public class RequestThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void A_fresh_throttle_lets_a_request_go_now()
    {
        var throttle = new RequestThrottle(3, Window);

        Assert.Equal(T0, throttle.NextSlot(T0));
    }

    [Fact]
    public void Requests_below_the_limit_go_immediately()
    {
        var throttle = new RequestThrottle(3, Window);
        throttle.RecordSent(At(0));
        throttle.RecordSent(At(0.1));

        Assert.Equal(At(0.2), throttle.NextSlot(At(0.2)));
    }

    [Fact]
    public void After_N_requests_in_a_window_the_next_slot_is_the_oldest_plus_the_window()
    {
        var throttle = new RequestThrottle(3, Window);
        throttle.RecordSent(At(0));
        throttle.RecordSent(At(1));
        throttle.RecordSent(At(2));

        Assert.Equal(At(3), throttle.NextSlot(At(2)));
        Assert.Equal(At(3), throttle.NextSlot(At(2.5)));
    }

    [Fact]
    public void Once_the_oldest_request_left_the_window_a_request_may_go_now()
    {
        var throttle = new RequestThrottle(3, Window);
        throttle.RecordSent(At(0));
        throttle.RecordSent(At(1));
        throttle.RecordSent(At(2));

        Assert.Equal(At(3.5), throttle.NextSlot(At(3.5)));
    }

    [Fact]
    public void The_window_slides_with_each_request()
    {
        var throttle = new RequestThrottle(3, Window);
        throttle.RecordSent(At(0));
        throttle.RecordSent(At(1));
        throttle.RecordSent(At(2));
        Assert.Equal(At(3), throttle.NextSlot(At(2)));

        throttle.RecordSent(At(3));
        Assert.Equal(At(4), throttle.NextSlot(At(3))); // oldest is now the one at 1 s

        throttle.RecordSent(At(4));
        Assert.Equal(At(5), throttle.NextSlot(At(4)));

        throttle.RecordSent(At(5));
        Assert.Equal(At(6), throttle.NextSlot(At(5)));
    }

    [Fact]
    public void A_burst_fills_the_window_and_then_waits_a_full_window()
    {
        var throttle = new RequestThrottle(5, Window);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(At(0), throttle.NextSlot(At(0)));
            throttle.RecordSent(At(0));
        }

        Assert.Equal(At(3), throttle.NextSlot(At(0)));
    }

    [Fact]
    public void Never_more_than_N_requests_in_any_window_when_following_NextSlot()
    {
        var throttle = new RequestThrottle(4, Window);
        var sent = new List<DateTimeOffset>();
        var now = T0;
        for (var i = 0; i < 40; i++)
        {
            now = throttle.NextSlot(now);
            throttle.RecordSent(now);
            sent.Add(now);
            now = now.AddMilliseconds(100);
        }

        foreach (var start in sent)
            Assert.True(sent.Count(t => t >= start && t < start + Window) <= 4, $"more than 4 requests in the window starting {start:O}");
        // Four requests 100 ms apart, then a wait for the window: groups at 0 s, 3 s, ..., 27 s.
        Assert.Equal(T0.AddMilliseconds(27_300), sent[^1]);
    }

    [Fact]
    public void Remaining_zero_blocks_until_reset()
    {
        var throttle = new RequestThrottle(3000, Window);
        throttle.RecordSent(At(0));

        throttle.Observe(new RateLimitInfo(3000, 0, At(10)), At(0.2));

        Assert.Equal(At(10), throttle.NextSlot(At(0.2)));
        Assert.Equal(At(10), throttle.NextSlot(At(9.9)));
        Assert.Equal(At(10.5), throttle.NextSlot(At(10.5)));
    }

    [Fact]
    public void Remaining_zero_with_a_reset_in_the_past_does_not_block()
    {
        var throttle = new RequestThrottle(3000, Window);

        throttle.Observe(new RateLimitInfo(3000, 0, At(-1)), At(0));

        Assert.Equal(At(0), throttle.NextSlot(At(0)));
    }

    [Fact]
    public void Low_remaining_spaces_requests_evenly_until_reset()
    {
        var throttle = new RequestThrottle(3000, Window);
        throttle.RecordSent(At(0));

        // 4 requests left for the 8 seconds until reset: one every 2 seconds.
        throttle.Observe(new RateLimitInfo(3000, 4, At(8)), At(0));

        Assert.Equal(At(2), throttle.NextSlot(At(0)));
        throttle.RecordSent(At(2));
        Assert.Equal(At(4), throttle.NextSlot(At(2)));
        throttle.RecordSent(At(4.5));
        Assert.Equal(At(6.5), throttle.NextSlot(At(4.5)));
        Assert.Equal(At(7), throttle.NextSlot(At(7))); // already past the spacing
    }

    [Fact]
    public void Remaining_that_is_not_low_does_not_space_requests()
    {
        var throttle = new RequestThrottle(3000, Window);
        throttle.RecordSent(At(0));

        throttle.Observe(new RateLimitInfo(3000, 2500, At(8)), At(0));

        Assert.Equal(At(0), throttle.NextSlot(At(0)));
    }

    [Fact]
    public void Low_budget_is_below_a_tenth_of_the_limit()
    {
        var low = new RequestThrottle(3000, Window);
        low.RecordSent(At(0));
        low.Observe(new RateLimitInfo(3000, 299, At(299)), At(0));

        var enough = new RequestThrottle(3000, Window);
        enough.RecordSent(At(0));
        enough.Observe(new RateLimitInfo(3000, 300, At(300)), At(0));

        Assert.Equal(At(1), low.NextSlot(At(0)));
        Assert.Equal(At(0), enough.NextSlot(At(0)));
    }

    [Fact]
    public void A_later_answer_with_plenty_of_budget_ends_the_spacing()
    {
        var throttle = new RequestThrottle(3000, Window);
        throttle.RecordSent(At(0));
        throttle.Observe(new RateLimitInfo(3000, 4, At(8)), At(0));
        Assert.Equal(At(2), throttle.NextSlot(At(0)));

        throttle.Observe(new RateLimitInfo(3000, 3000, At(11)), At(0.5));

        Assert.Equal(At(0.5), throttle.NextSlot(At(0.5)));
    }

    [Fact]
    public void Null_headers_change_nothing()
    {
        var blocked = new RequestThrottle(3000, Window);
        blocked.Observe(new RateLimitInfo(3000, 0, At(10)), At(0));
        var spaced = new RequestThrottle(3000, Window);
        spaced.RecordSent(At(0));
        spaced.Observe(new RateLimitInfo(3000, 4, At(8)), At(0));
        var fresh = new RequestThrottle(3000, Window);

        blocked.Observe(null, At(1));
        spaced.Observe(null, At(1));
        fresh.Observe(null, At(1));

        Assert.Equal(At(10), blocked.NextSlot(At(1)));
        Assert.Equal(At(2), spaced.NextSlot(At(1)));
        Assert.Equal(At(1), fresh.NextSlot(At(1)));
        Assert.Null(fresh.LastSeen);
        Assert.Equal(new RateLimitInfo(3000, 4, At(8)), spaced.LastSeen);
    }

    [Fact]
    public void Observe_remembers_the_last_headers_seen()
    {
        var throttle = new RequestThrottle(3000, Window);
        var info = new RateLimitInfo(3000, 2999, At(3));

        throttle.Observe(info, At(0));

        Assert.Equal(info, throttle.LastSeen);
    }

    [Fact]
    public void Requests_per_window_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestThrottle(0, Window));
    }
}
