using Crm.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace Crm.Actors.Testing;

/// <summary>Configurations for the tests of <see cref="CrmConfiguration.Load"/>: the required keys with test values, and more.</summary>
public static class TestConfiguration
{
    /// <summary>The required keys and <paramref name="more"/> (a null value removes a key).</summary>
    public static Dictionary<string, string?> Required(params (string Key, string? Value)[] more)
    {
        var values = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "broker:9092",
            ["Braze:RestEndpoint"] = "https://rest.iad-01.braze.com",
            ["Braze:ApiKey"] = "key",
        };
        foreach (var (key, value) in more) values[key] = value;
        return values;
    }

    public static CrmConfiguration Load(Dictionary<string, string?> values) =>
        CrmConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Where(kv => kv.Value is not null)).Build());
}
