using Crm.Actors.EventTypes;
using Crm.Actors.Testing;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;

namespace Crm.Actors.Tests.Braze;

/// <summary>
/// Strings reach Braze cut on a code-point boundary within its limits (255 characters, 479 bytes), through the whole
/// path: a producer's record on mock Kafka, the entity, the gateway, the local Braze (which refuses bytes that are not
/// UTF-8 as Braze would).
/// </summary>
public sealed class BrazeStringsTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_last_name_of_254_a_an_emoji_and_b_reaches_braze_as_the_254_a()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var account = Events.Example(AccountCreatedType.Instance);
        account["payload"]!["last_name"] = new string('a', 254) + "😀b"; // the emoji is 2 UTF-16 units: the 255th unit is half of it
        deployment.Produce([new SampleRecord("accounts", Events.CustomerId, Events.Bytes(account))]);

        await using var host = await deployment.StartHostAsync();
        await PipelineDeployment.WaitUntil(() => deployment.Braze.AcceptedObjects().Any(o => o.Array == "attributes") && deployment.AllCommitted(),
            Patience, deployment.CommitState);

        var attributes = Assert.Single(deployment.Braze.AcceptedObjects(), o => o.Array == "attributes").Object;
        Assert.Equal(new string('a', 254), attributes.GetProperty("last_name").GetString());
        Assert.Empty(kafka.ReadAll(deployment.DeadLetterTopic));
    }
}
