using Crm.Actors.Braze;

namespace Crm.Actors.UnitTests.Braze;

/// <summary>
/// What each HTTP answer means (<see cref="BrazeOutcome.Classify"/>, braze-mapping.md "Calls"): only answers that blame the
/// data dead-letter it; answers that say the key or the endpoint is wrong halt; 413 splits; the rest is retried.
/// </summary>
public class BrazeAnswerTests
{
    private const string Url = "https://rest.example.com/v2/users/track";

    private static BrazeBatch Batch(int objects) => new(7, false, Enumerable.Range(0, objects)
        .Select(i => new PendingObject(i, new MarketingObject(MarketingObjectKind.Event, $"cus_{i}", $$"""{"external_id":"cus_{{i}}","name":"e"}"""), null))
        .ToList());

    private static BrazeOutcome Classify(int status, string body, int objects = 3) => BrazeOutcome.Classify(status, body, Batch(objects), Url, 1234, null);

    [Theory]
    [InlineData(401, """{"message":"Invalid API key"}""", "Braze:ApiKey")]
    [InlineData(403, """{"message":"Forbidden"}""", "Braze:ApiKey")]
    [InlineData(404, "", "Braze:RestEndpoint")]
    [InlineData(404, """{"message":"Not Found"}""", "Braze:RestEndpoint")]
    [InlineData(405, "<html>Method Not Allowed</html>", "Braze:RestEndpoint")]
    [InlineData(200, "<html>Welcome to nginx!</html>", "Braze:RestEndpoint")]
    [InlineData(201, "", "Braze:RestEndpoint")]
    [InlineData(400, "<html>Bad Request</html>", "Braze:RestEndpoint")]
    [InlineData(402, """{"message":"Payment Required"}""", "Braze:RestEndpoint")]
    [InlineData(415, "", "Braze:RestEndpoint")]
    public void Answers_that_say_the_configuration_is_wrong_halt_naming_the_url_and_the_setting(int status, string body, string setting)
    {
        var halting = Assert.IsType<BrazeOutcome.Halting>(Classify(status, body));

        Assert.Equal(status, halting.Status);
        Assert.Contains($"HTTP {status} from {Url}", halting.Reason);
        Assert.Contains(setting, halting.Reason);
    }

    [Fact]
    public void A_400_with_braze_s_message_blames_the_data_and_carries_the_message()
    {
        var refused = Assert.IsType<BrazeOutcome.Refused>(Classify(400, """{"message":"'time' must be a string"}"""));

        Assert.Equal("HTTP 400: 'time' must be a string", refused.Reason);
    }

    [Fact]
    public void A_2xx_with_braze_s_message_is_accepted_with_the_objects_it_lists_under_errors()
    {
        var accepted = Assert.IsType<BrazeOutcome.Accepted>(
            Classify(201, """{"message":"success","errors":[{"type":"bad time","input_array":"events","index":1}]}"""));

        Assert.Equal([(1, "bad time")], accepted.Rejected);
        Assert.Empty(Assert.IsType<BrazeOutcome.Accepted>(Classify(201, """{"message":"success"}""")).Rejected);
    }

    [Fact]
    public void A_413_for_several_objects_splits_and_for_one_object_halts()
    {
        Assert.IsType<BrazeOutcome.TooLarge>(Classify(413, "", objects: 2));

        // One object of ours is far under Braze's 4 MB: a 413 for it comes from something in front of Braze.
        var halting = Assert.IsType<BrazeOutcome.Halting>(Classify(413, "", objects: 1));
        Assert.Contains("single object of 1234 bytes", halting.Reason);
        Assert.Contains("Braze:RestEndpoint", halting.Reason);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public void Timeouts_rate_limits_and_server_errors_are_transient(int status)
    {
        var transient = Assert.IsType<BrazeOutcome.Transient>(Classify(status, """{"message":"try later"}"""));

        Assert.Equal(status, transient.HttpStatus);
    }

    [Fact]
    public void The_endpoint_as_logged_drops_user_information_and_query()
    {
        var settings = new BrazeSettings(new Uri("https://user:secret@rest.example.com/v2/?token=secret"), "key", 1, TimeSpan.FromSeconds(1), 1, 1,
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        Assert.Equal("https://rest.example.com/v2", settings.EndpointForLogs);
        Assert.DoesNotContain("secret", settings.ToString());
        Assert.DoesNotContain("key", settings.ToString().Replace("ApiKey = ***", ""));
    }
}
