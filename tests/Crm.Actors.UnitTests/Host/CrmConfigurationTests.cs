using Crm.Actors.Braze;
using Crm.Actors.Hosting;
using Crm.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Crm.Actors.UnitTests.Host;

public class CrmConfigurationTests
{
    private const string ApiKey = "sk-test-5f0c2a9e-very-secret";

    private static Dictionary<string, string?> Required() => new()
    {
        ["Kafka:BootstrapServers"] = "broker-1:9092,broker-2:9092",
        ["Braze:RestEndpoint"] = "https://rest.iad-01.braze.com",
        ["Braze:ApiKey"] = ApiKey,
    };

    private static CrmConfiguration Load(Dictionary<string, string?> values) =>
        CrmConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    private static CrmConfiguration LoadWith(string key, string? value)
    {
        var values = Required();
        values[key] = value;
        return Load(values);
    }

    private static ConfigurationException Fails(Dictionary<string, string?> values, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(values));
        Assert.Equal(key, e.Key);
        Assert.Contains(key, e.Message);
        Assert.DoesNotContain(ApiKey, e.Message);
        return e;
    }

    private static ConfigurationException FailsWith(string key, string? value)
    {
        var values = Required();
        values[key] = value;
        return Fails(values, key);
    }

    [Fact]
    public void Only_required_keys_give_the_documented_defaults()
    {
        var configuration = Load(Required());

        Assert.Equal("broker-1:9092,broker-2:9092", configuration.Kafka.BootstrapServers);
        Assert.Equal("crm-actors", configuration.Kafka.GroupId);
        Assert.Equal(["accounts", "wishlists", "carts", "bookings", "activities"], configuration.Kafka.Topics);
        Assert.Equal("crm.deadletter", configuration.Kafka.DeadLetterTopic);

        Assert.Equal(new Uri("https://rest.iad-01.braze.com"), configuration.Braze.RestEndpoint);
        Assert.Equal(ApiKey, configuration.Braze.ApiKey);
        Assert.Equal(3000, configuration.Braze.RequestsPerWindow);
        Assert.Equal(TimeSpan.FromSeconds(3), configuration.Braze.Window);
        Assert.Equal(75, configuration.Braze.MaxObjectsPerRequest);

        Assert.Null(configuration.Catalog);

        Assert.Equal(PersistenceProvider.Sqlite, configuration.Persistence.Provider);
        Assert.Equal("Data Source=crm.db", configuration.Persistence.ConnectionString);

        Assert.Equal("127.0.0.1", configuration.Cluster.Hostname);
        Assert.Equal(4053, configuration.Cluster.Port);
        Assert.Empty(configuration.Cluster.SeedNodes); // none: the node joins itself

        Assert.Equal(9110, configuration.ManagementPort);

        // Records read again are not sent again; the gateway remembers what it accepted lately.
        Assert.True(configuration.Customers.SkipDelivered);
        Assert.Equal(64, configuration.Customers.DeliveryLedgerSize);
        Assert.Equal(BrazeSettings.DefaultRememberAccepted, configuration.Braze.RememberAccepted);
    }

    [Fact]
    public void A_deliberate_replay_switches_off_skipping_in_the_entities_and_the_gateway()
    {
        var values = Required();
        values["Customers:SkipDelivered"] = "false";
        values["Customers:DeliveryLedgerSize"] = "500";

        var configuration = Load(values);

        Assert.False(configuration.Customers.SkipDelivered);
        Assert.Equal(500, configuration.Customers.DeliveryLedgerSize);
        Assert.Equal(0, configuration.Braze.RememberAccepted);
    }

    [Fact]
    public void Set_values_override_the_defaults()
    {
        var values = Required();
        values["Kafka:GroupId"] = "crm-test";
        values["Kafka:Topics"] = "bookings, activities";
        values["Kafka:DeadLetterTopic"] = "dlq";
        values["Braze:RequestsPerWindow"] = "100";
        values["Braze:Window"] = "00:00:10";
        values["Braze:MaxObjectsPerRequest"] = "50";
        values["Catalog:BaseUrl"] = "http://catalog.local:8080/";
        values["Persistence:Provider"] = "PostgreSql";
        values["Persistence:ConnectionString"] = "Host=db;Database=crm";
        values["Cluster:Hostname"] = "10.0.0.5";
        values["Cluster:Port"] = "0";
        values["Cluster:SeedNodes"] = "akka.tcp://crm@10.0.0.5:4053, akka.tcp://crm@10.0.0.6:4053";
        values["Management:Port"] = "9200";

        var configuration = Load(values);

        Assert.Equal("crm-test", configuration.Kafka.GroupId);
        Assert.Equal(["bookings", "activities"], configuration.Kafka.Topics);
        Assert.Equal("dlq", configuration.Kafka.DeadLetterTopic);
        Assert.Equal(100, configuration.Braze.RequestsPerWindow);
        Assert.Equal(TimeSpan.FromSeconds(10), configuration.Braze.Window);
        Assert.Equal(50, configuration.Braze.MaxObjectsPerRequest);
        Assert.NotNull(configuration.Catalog);
        Assert.Equal(PersistenceProvider.PostgreSql, configuration.Persistence.Provider);
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(configuration.Persistence.ConnectionString);
        Assert.Equal(("db", "crm"), (connection.Host, connection.Database));
        Assert.Equal(20, connection.MaxPoolSize); // bounded, so that the nodes of a cluster fit PostgreSQL's max_connections
        Assert.Equal("10.0.0.5", configuration.Cluster.Hostname);
        Assert.Equal(0, configuration.Cluster.Port);
        Assert.Equal(["akka.tcp://crm@10.0.0.5:4053", "akka.tcp://crm@10.0.0.6:4053"], configuration.Cluster.SeedNodes);
        Assert.Equal(9200, configuration.ManagementPort);
    }

    [Fact]
    public void A_pool_size_in_the_postgresql_connection_string_wins()
    {
        var values = Required();
        values["Persistence:Provider"] = "PostgreSql";
        values["Persistence:ConnectionString"] = "Host=db;Database=crm;Maximum Pool Size=7";
        values["Persistence:MaxConnections"] = "30";

        Assert.Equal(7, new Npgsql.NpgsqlConnectionStringBuilder(Load(values).Persistence.ConnectionString).MaxPoolSize);
    }

    [Fact]
    public void Cluster_keys_choose_partitioner_assignor_and_downing_delay()
    {
        var values = Required();
        values["Kafka:Partitioner"] = "murmur2_random";
        values["Kafka:AssignmentStrategy"] = "cooperative-sticky";
        values["Kafka:RevokeDrainTimeout"] = "00:00:04";
        values["Cluster:DownUnreachableAfter"] = "00:00:07";

        var configuration = Load(values);

        Assert.Equal("murmur2_random", configuration.Customers.Partitioner);
        Assert.Equal(Confluent.Kafka.PartitionAssignmentStrategy.CooperativeSticky, configuration.Kafka.AssignmentStrategy);
        Assert.Equal(TimeSpan.FromSeconds(4), configuration.Kafka.RevokeDrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), configuration.Cluster.DownUnreachableAfter);
    }

    [Fact]
    public void Cluster_defaults_align_shards_with_librdkafka_producers()
    {
        var configuration = Load(Required());

        Assert.Equal("consistent_random", configuration.Customers.Partitioner);
        Assert.Equal(Confluent.Kafka.PartitionAssignmentStrategy.Range, configuration.Kafka.AssignmentStrategy);
        Assert.Equal(TimeSpan.FromSeconds(20), configuration.Cluster.DownUnreachableAfter);
    }

    [Theory]
    [InlineData("Kafka:BootstrapServers")]
    [InlineData("Braze:RestEndpoint")]
    [InlineData("Braze:ApiKey")]
    public void Missing_required_key_throws_naming_the_key(string key)
    {
        var values = Required();
        values.Remove(key);

        Fails(values, key);
    }

    [Theory]
    [InlineData("Kafka:BootstrapServers")]
    [InlineData("Braze:RestEndpoint")]
    [InlineData("Braze:ApiKey")]
    public void Blank_required_key_throws_naming_the_key(string key)
    {
        FailsWith(key, "   ");
    }

    [Theory]
    [InlineData("Braze:Window", "abc")]
    [InlineData("Braze:Window", "-00:00:03")]
    [InlineData("Braze:Window", "00:00:00")]
    [InlineData("Braze:Window", "3")]
    [InlineData("Braze:RequestsPerWindow", "0")]
    [InlineData("Braze:RequestsPerWindow", "many")]
    [InlineData("Braze:MaxObjectsPerRequest", "76")]
    [InlineData("Persistence:Provider", "Oracle")]
    [InlineData("Kafka:Partitioner", "murmur3")]
    [InlineData("Kafka:AssignmentStrategy", "sticky-ish")]
    [InlineData("Cluster:DownUnreachableAfter", "5")]
    [InlineData("Braze:RestEndpoint", "not a url")]
    [InlineData("Braze:RestEndpoint", "ftp://rest.braze.com")]
    [InlineData("Catalog:BaseUrl", "catalog")]
    [InlineData("Cluster:SeedNodes", "foo")]
    [InlineData("Cluster:SeedNodes", "akka.tcp://crm@10.0.0.5:4053,akka.tcp://other@10.0.0.6:4053")]
    [InlineData("Cluster:Port", "70000")]
    [InlineData("Management:Port", "-1")]
    [InlineData("Kafka:GroupId", "  ")]
    [InlineData("Kafka:Topics", " , ")]
    [InlineData("Kafka:Topics", "")]
    [InlineData("Customers:SkipDelivered", "sometimes")]
    [InlineData("Customers:DeliveryLedgerSize", "-1")]
    public void Invalid_value_throws_naming_the_key(string key, string value)
    {
        FailsWith(key, value);
    }

    [Fact]
    public void Invalid_value_message_says_what_is_wrong()
    {
        var e = FailsWith("Braze:Window", "abc");

        Assert.Contains("abc", e.Message);
    }

    [Fact]
    public void Error_messages_never_contain_the_api_key()
    {
        // Every failure after the key was read: none of the messages may carry it.
        foreach (var (key, value) in new[]
        {
            ("Braze:Window", "abc"), ("Braze:RequestsPerWindow", "0"), ("Persistence:Provider", "Oracle"),
            ("Cluster:SeedNodes", "foo"), ("Braze:RestEndpoint", "not a url"), ("Management:Port", "x"),
        })
        {
            var e = FailsWith(key, value);
            Assert.DoesNotContain(ApiKey, e.ToString());
        }
    }

    [Fact]
    public void Api_key_is_not_in_BrazeSettings_ToString()
    {
        var braze = Load(Required()).Braze;

        var text = braze.ToString();

        Assert.DoesNotContain(ApiKey, text);
        Assert.Contains("rest.iad-01.braze.com", text); // it still describes the settings
    }

    [Fact]
    public void Api_key_is_not_in_the_printed_configuration()
    {
        var configuration = Load(Required());

        Assert.DoesNotContain(ApiKey, configuration.ToString());
    }
}
