using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Actors.EventTypes;
using Crm.Actors.Testing;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Customers;

/// <summary>
/// An attribute is sent only when its value differs from the last one sent for the customer (issue 12, item 8): the
/// profile Braze ends with is the one it ends with when every attribute is sent, with fewer data points, and the memory
/// outlives the entity (journal and snapshot).
/// </summary>
public sealed class UnchangedAttributesTests(KafkaTestCluster kafka, ITestOutputHelper output) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_same_records_give_the_same_profiles_with_no_data_point_repeating_a_value_braze_has()
    {
        List<SampleRecord> produced;
        Profiles everything, changesOnly;
        await using (var deployment = await PipelineDeployment.StartAsync(kafka))
        {
            deployment.Settings["Customers:SkipUnchangedAttributes"] = "false";
            OneTopic(deployment);
            produced = deployment.ProduceCustomers(40, seed: 901);
            everything = await DeliverAsync(deployment, produced);
        }
        await using (var deployment = await PipelineDeployment.StartAsync(kafka))
        {
            OneTopic(deployment);
            deployment.Produce(produced); // byte for byte the records above
            changesOnly = await DeliverAsync(deployment, produced);
        }

        output.WriteLine($"attribute data points: {everything.DataPoints} sent with every attribute, {changesOnly.DataPoints} with changes only " +
                         $"({everything.DataPoints - changesOnly.DataPoints} saved, {everything.Repeats} of them repeated a value Braze had)");
        Assert.True(everything.Repeats > 0, "the workload repeats no attribute value: nothing to prove");
        Assert.Equal(everything.Final.Keys.Order(), changesOnly.Final.Keys.Order());
        foreach (var (customer, profile) in everything.Final)
            Assert.Equal(profile.OrderBy(kv => kv.Key), changesOnly.Final[customer].OrderBy(kv => kv.Key));
        Assert.Equal(0, changesOnly.Repeats);
        Assert.Equal(everything.DataPoints - everything.Repeats, changesOnly.DataPoints);
    }

    [Theory]
    [InlineData(100)] // remembered through the ledger's journal rows
    [InlineData(1)] // remembered through a snapshot
    public async Task After_a_restart_only_the_attribute_that_changed_is_sent(int snapshotEvery)
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        deployment.Settings["Customers:SnapshotEvery"] = snapshotEvery.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var first = Events.Example(AccountCreatedType.Instance, eventId: "evt-1");
        deployment.Produce([new SampleRecord("accounts", Events.CustomerId, Events.Bytes(first))]);
        await using (var host = await deployment.StartHostAsync())
            await PipelineDeployment.WaitUntil(() => Attributes(deployment.Braze).Count == 1 && deployment.AllCommitted(), Patience, deployment.CommitState);

        var second = Events.Example(AccountCreatedType.Instance, eventId: "evt-2");
        second["payload"]!["first_name"] = "Anne";
        deployment.Produce([new SampleRecord("accounts", Events.CustomerId, Events.Bytes(second))]);
        await using (var host = await deployment.StartHostAsync())
            await PipelineDeployment.WaitUntil(() => Attributes(deployment.Braze).Count == 2 && deployment.AllCommitted(), Patience, deployment.CommitState);

        var sent = Attributes(deployment.Braze);
        Assert.Contains("\"last_name\"", sent[0].GetRawText()); // the first carries every attribute
        Assert.Equal(["external_id", "first_name"], sent[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal("Anne", sent[1].GetProperty("first_name").GetString());
    }

    /// <summary>
    /// Every record on one topic (one that names no event type's topic carries them all): a customer's events are then in
    /// one partition order, the same in both runs, so the objects each run sends are comparable one for one.
    /// </summary>
    private void OneTopic(PipelineDeployment deployment)
    {
        var topic = kafka.NewTopic("everything");
        foreach (var name in deployment.Topics.Keys.ToList()) deployment.Topics[name] = topic;
        deployment.Settings["Kafka:Topics"] = topic;
    }

    private static List<JsonElement> Attributes(LocalBraze braze) =>
        braze.AcceptedObjects().Where(o => o.Array == "attributes").Select(o => o.Object).ToList();

    private async Task<Profiles> DeliverAsync(PipelineDeployment deployment, List<SampleRecord> produced)
    {
        await using var host = await deployment.StartHostAsync();
        await PipelineDeployment.WaitUntil(() => deployment.Count(produced) is var c && c.Delivered == c.Sent && deployment.AllCommitted(),
            Patience, deployment.CommitState);
        Assert.Equal(0, deployment.Count(produced).Duplicates);
        return Profiles.Of(Attributes(deployment.Braze));
    }

    /// <summary>The profiles Braze holds after <c>attributes</c> objects in arrival order (per customer, partition order).</summary>
    private sealed record Profiles(Dictionary<string, Dictionary<string, string>> Final, int DataPoints, int Repeats)
    {
        public static Profiles Of(IEnumerable<JsonElement> attributes)
        {
            var final = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            int points = 0, repeats = 0;
            foreach (var o in attributes)
            {
                var profile = final.TryGetValue(o.GetProperty("external_id").GetString()!, out var p) ? p
                    : final[o.GetProperty("external_id").GetString()!] = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var attribute in o.EnumerateObject().Where(a => a.Name != "external_id"))
                {
                    points++;
                    // Values compared as JSON (the same value may be escaped differently).
                    var value = JsonNode.Parse(attribute.Value.GetRawText())?.ToJsonString() ?? "null";
                    if (profile.TryGetValue(attribute.Name, out var held) && held == value) repeats++;
                    profile[attribute.Name] = value;
                }
            }
            return new Profiles(final, points, repeats);
        }
    }
}
