using System.Globalization;
using Crm.Actors.Braze;
using Crm.Actors.Catalog;
using Crm.Actors.Hosting;
using Crm.Actors.Kafka;
using Crm.Actors.Pipeline;

namespace Crm.Host.Configuration;

/// <summary>Every setting of the host, read and validated once at start-up (keys of <c>configuration.md</c>, plus tuning keys).</summary>
public sealed record CrmConfiguration(
    KafkaSettings Kafka,
    BrazeSettings Braze,
    CatalogSettings? Catalog,
    PersistenceSettings Persistence,
    ClusterSettings Cluster,
    CustomerSettings Customers,
    PipelineSettings Pipeline,
    int ManagementPort,
    Serilog.Events.LogEventLevel LogLevel)
{
    public static CrmConfiguration Load(IConfiguration configuration)
    {
        var reader = new Reader(configuration);
        var kafka = new KafkaSettings(
            reader.Required("Kafka:BootstrapServers", "e.g. broker-1:9092,broker-2:9092; or start with --demo"),
            reader.String("Kafka:GroupId", "crm-actors"),
            reader.NonEmptyList("Kafka:Topics", "accounts,wishlists,carts,bookings,activities"),
            reader.String("Kafka:DeadLetterTopic", "crm.deadletter"),
            reader.Int("Kafka:BufferSize", 1000, min: 1),
            reader.Int("Kafka:CommitBatchSize", 1000, min: 1),
            reader.Duration("Kafka:CommitInterval", TimeSpan.FromMilliseconds(200)),
            reader.Section("Kafka:Client"));

        var braze = new BrazeSettings(
            reader.Url("Braze:RestEndpoint", required: true)!,
            reader.Required("Braze:ApiKey", "is the Braze REST API key"),
            reader.Int("Braze:RequestsPerWindow", 3000, min: 1),
            reader.Duration("Braze:Window", TimeSpan.FromSeconds(3)),
            reader.Int("Braze:MaxObjectsPerRequest", 75, min: 1, max: 75),
            reader.Int("Braze:MaxRequestsInFlight", 12, min: 1),
            reader.Duration("Braze:RequestTimeout", TimeSpan.FromSeconds(10)),
            reader.Duration("Braze:MinBackoff", TimeSpan.FromMilliseconds(500)),
            reader.Duration("Braze:MaxBackoff", TimeSpan.FromSeconds(30)));

        var catalogUrl = reader.Url("Catalog:BaseUrl", required: false);
        var catalog = catalogUrl is null
            ? null
            : new CatalogSettings(
                catalogUrl.ToString(),
                reader.Duration("Catalog:RequestTimeout", TimeSpan.FromSeconds(5)),
                reader.Duration("Catalog:CacheTtl", TimeSpan.FromMinutes(10)),
                reader.Duration("Catalog:MinBackoff", TimeSpan.FromMilliseconds(200)),
                reader.Duration("Catalog:MaxBackoff", TimeSpan.FromSeconds(30)));

        var provider = reader.Enum("Persistence:Provider", PersistenceProvider.Sqlite);
        var persistence = new PersistenceSettings(provider, reader.String("Persistence:ConnectionString", "Data Source=crm.db"));

        var hostname = reader.String("Cluster:Hostname", "127.0.0.1");
        var port = reader.Int("Cluster:Port", 4053, min: 0, max: 65535);
        var seeds = reader.List("Cluster:SeedNodes", "");
        foreach (var seed in seeds)
            if (!seed.StartsWith("akka.tcp://" + ClusterSettings.SystemName + "@", StringComparison.Ordinal))
                throw new ConfigurationException("Cluster:SeedNodes", $"entry '{seed}' is not of the form akka.tcp://{ClusterSettings.SystemName}@host:port");

        var customers = new CustomerSettings(
            reader.Int("Kafka:Partitions", 4, min: 1),
            reader.Int("Customers:SnapshotEvery", 100, min: 1),
            reader.Duration("Customers:PassivateAfter", TimeSpan.FromMinutes(2)),
            reader.Duration("Customers:MinBackoff", TimeSpan.FromMilliseconds(200)),
            reader.Duration("Customers:MaxBackoff", TimeSpan.FromSeconds(10)));

        var pipeline = new PipelineSettings(
            reader.Int("Pipeline:MaxRecordsInFlight", 2000, min: 1),
            reader.Duration("Pipeline:RecordTimeout", TimeSpan.FromSeconds(60)));

        return new CrmConfiguration(kafka, braze, catalog, persistence, new ClusterSettings(hostname, port, seeds), customers, pipeline,
            reader.Int("Management:Port", 9110, min: 0, max: 65535),
            reader.Enum("Logging:Level", Serilog.Events.LogEventLevel.Information));
    }

    private sealed class Reader(IConfiguration configuration)
    {
        public string Required(string key, string hint)
        {
            var value = configuration[key];
            if (string.IsNullOrWhiteSpace(value)) throw new ConfigurationException(key, $"is required ({hint})");
            return value.Trim();
        }

        public string String(string key, string fallback)
        {
            var value = configuration[key];
            if (value is null) return fallback;
            if (string.IsNullOrWhiteSpace(value)) throw new ConfigurationException(key, "is empty");
            return value.Trim();
        }

        public IReadOnlyList<string> List(string key, string fallback) =>
            (configuration[key] ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public IReadOnlyList<string> NonEmptyList(string key, string fallback)
        {
            var list = List(key, fallback);
            return list.Count > 0 ? list : throw new ConfigurationException(key, "names no topic (comma-separated list expected)");
        }

        public int Int(string key, int fallback, int min, int max = int.MaxValue)
        {
            var value = configuration[key];
            if (value is null) return fallback;
            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                throw new ConfigurationException(key, $"'{value}' is not a whole number");
            if (number < min || number > max)
                throw new ConfigurationException(key, $"is {number}, outside {min}..{max}");
            return number;
        }

        public TimeSpan Duration(string key, TimeSpan fallback)
        {
            var value = configuration[key];
            if (value is null) return fallback;
            // A bare number parses as days ("3" = 3 days): demand the hh:mm:ss form so nobody gets that by accident.
            if (!value.Contains(':') || !TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var duration) || duration <= TimeSpan.Zero)
                throw new ConfigurationException(key, $"'{value}' is not a positive duration like 00:00:03");
            return duration;
        }

        public Uri? Url(string key, bool required)
        {
            var value = configuration[key];
            if (string.IsNullOrWhiteSpace(value))
                return required ? throw new ConfigurationException(key, "is required (e.g. https://rest.iad-01.braze.com)") : null;
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new ConfigurationException(key, $"'{value}' is not an http(s) URL");
            return uri;
        }

        public T Enum<T>(string key, T fallback) where T : struct, System.Enum
        {
            var value = configuration[key];
            if (value is null) return fallback;
            if (!System.Enum.TryParse<T>(value, ignoreCase: true, out var parsed) || !System.Enum.IsDefined(parsed))
                throw new ConfigurationException(key, $"'{value}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}");
            return parsed;
        }

        public IReadOnlyDictionary<string, string> Section(string key) =>
            configuration.GetSection(key).GetChildren()
                .Where(c => c.Value is not null)
                .ToDictionary(c => c.Key, c => c.Value!);
    }
}
