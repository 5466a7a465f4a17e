using System.Globalization;
using Crm.Actors.Braze;
using Crm.Actors.Catalog;
using Crm.Actors.Hosting;
using Crm.Actors.Kafka;
using Crm.Actors.Pipeline;
using Crm.Host.Management;

namespace Crm.Host.Configuration;

/// <summary>Every setting of the host, read and validated once at start-up (keys of <c>configuration.md</c>, plus tuning keys).</summary>
public sealed partial record CrmConfiguration(
    KafkaSettings Kafka,
    BrazeSettings Braze,
    CatalogSettings? Catalog,
    PersistenceSettings Persistence,
    ClusterSettings Cluster,
    CustomerSettings Customers,
    PipelineSettings Pipeline,
    ManagementSettings Management,
    Serilog.Events.LogEventLevel LogLevel)
{
    public int ManagementPort => Management.Port;

    public static CrmConfiguration Load(IConfiguration configuration)
    {
        var reader = new Reader(new SecretFiles(configuration));
        var kafka = new KafkaSettings(
            reader.Required("Kafka:BootstrapServers", "e.g. broker-1:9092,broker-2:9092; or start with --demo"),
            reader.String("Kafka:GroupId", "crm-actors"),
            reader.NonEmptyList("Kafka:Topics", "accounts,wishlists,carts,bookings,activities"),
            reader.String("Kafka:DeadLetterTopic", "crm.deadletter"),
            reader.Int("Kafka:BufferSize", 1000, min: 1),
            reader.Int("Kafka:CommitBatchSize", 1000, min: 1),
            reader.Duration("Kafka:CommitInterval", TimeSpan.FromMilliseconds(200)),
            reader.Section("Kafka:Client"))
        {
            AssignmentStrategy = reader.Enum("Kafka:AssignmentStrategy", Confluent.Kafka.PartitionAssignmentStrategy.Range),
            RevokeDrainTimeout = reader.Duration("Kafka:RevokeDrainTimeout", TimeSpan.FromSeconds(10)),
        };

        var skipDelivered = reader.Bool("Customers:SkipDelivered", true);
        var braze = new BrazeSettings(
            reader.Url("Braze:RestEndpoint", required: true)!,
            reader.Required("Braze:ApiKey", "is the Braze REST API key"),
            reader.Int("Braze:RequestsPerWindow", 3000, min: 1),
            reader.Duration("Braze:Window", TimeSpan.FromSeconds(3)),
            reader.Int("Braze:MaxObjectsPerRequest", 75, min: 1, max: 75),
            reader.Int("Braze:MaxRequestsInFlight", 12, min: 1),
            reader.Duration("Braze:RequestTimeout", TimeSpan.FromSeconds(10)),
            reader.Duration("Braze:MinBackoff", TimeSpan.FromMilliseconds(500)),
            reader.Duration("Braze:MaxBackoff", TimeSpan.FromSeconds(30)))
        {
            // A deliberate replay must reach Braze: then the gateway does not answer for what it accepted lately either.
            RememberAccepted = skipDelivered ? BrazeSettings.DefaultRememberAccepted : 0,
            DeleteRequestsPerWindow = reader.Int("Braze:DeleteRequestsPerWindow", BrazeLimits.DeleteRequestsPerMinute, min: 1),
            DeleteWindow = reader.Duration("Braze:DeleteWindow", TimeSpan.FromMinutes(1)),
        };

        var catalogUrl = reader.Url("Catalog:BaseUrl", required: false);
        var catalog = catalogUrl is null
            ? null
            : new CatalogSettings(
                catalogUrl.ToString(),
                reader.Duration("Catalog:RequestTimeout", TimeSpan.FromSeconds(5)),
                reader.Duration("Catalog:CacheTtl", TimeSpan.FromMinutes(10)),
                reader.Duration("Catalog:MinBackoff", TimeSpan.FromMilliseconds(200)),
                reader.Duration("Catalog:MaxBackoff", TimeSpan.FromSeconds(30)));

        var persistence = ReadPersistence(reader);

        var hostname = reader.String("Cluster:Hostname", "127.0.0.1");
        var port = reader.Int("Cluster:Port", 4053, min: 0, max: 65535);
        var cluster = new ClusterSettings(hostname, port, reader.List("Cluster:SeedNodes", ""))
        {
            BindHostname = reader.String("Cluster:BindHostname", hostname),
            Tls = LoadClusterTls(reader),
            DownUnreachableAfter = reader.Duration("Cluster:DownUnreachableAfter", TimeSpan.FromSeconds(20)),
        };
        foreach (var seed in cluster.SeedNodes)
            if (!seed.StartsWith(cluster.Protocol + "://" + ClusterSettings.SystemName + "@", StringComparison.Ordinal))
                throw new ConfigurationException("Cluster:SeedNodes", $"entry '{seed}' is not of the form {cluster.Protocol}://{ClusterSettings.SystemName}@host:port" +
                    (cluster.Tls is null ? "" : " (Cluster:Tls:Enabled is true)"));

        var customers = new CustomerSettings(
            reader.Int("Kafka:Partitions", 4, min: 1),
            reader.Int("Customers:SnapshotEvery", 100, min: 1),
            reader.Duration("Customers:PassivateAfter", TimeSpan.FromMinutes(2)),
            reader.Duration("Customers:MinBackoff", TimeSpan.FromMilliseconds(200)),
            reader.Duration("Customers:MaxBackoff", TimeSpan.FromSeconds(10)))
        {
            Partitioner = reader.OneOf("Kafka:Partitioner", KafkaPartitioner.ConsistentRandomName, KafkaPartitioner.Names),
            DeliveryLedgerSize = reader.Int("Customers:DeliveryLedgerSize", 64, min: 0, max: 100_000),
            SkipDelivered = skipDelivered,
            SkipUnchangedAttributes = reader.Bool("Customers:SkipUnchangedAttributes", true),
            MaxLiveEntities = reader.Int("Customers:MaxLiveEntities", 10_000, min: 1),
        };

        var pipeline = new PipelineSettings(
            reader.Int("Pipeline:MaxRecordsInFlight", 2000, min: 1),
            reader.Duration("Pipeline:RecordTimeout", TimeSpan.FromSeconds(60)));

        return new CrmConfiguration(kafka, braze, catalog, persistence, cluster, customers, pipeline,
            LoadManagement(reader),
            reader.Enum("Logging:Level", Serilog.Events.LogEventLevel.Information));
    }

    /// <summary>Off loopback the endpoint can drain, down or reconfigure the cluster: it must then demand a token.</summary>
    private static ManagementSettings LoadManagement(Reader reader)
    {
        var hostname = reader.String("Management:Hostname", "127.0.0.1");
        var port = reader.Int("Management:Port", 9110, min: 0, max: 65535);
        var token = reader.Optional("Management:Token");
        if (token is null && !ManagementSettings.IsLoopbackHost(hostname))
            throw new ConfigurationException("Management:Token", $"is required when Management:Hostname ({hostname}) is not a loopback address");
        if (token is { Length: < 16 })
            throw new ConfigurationException("Management:Token", "is shorter than 16 characters (use a long random value)");
        return new ManagementSettings(hostname, port, token);
    }

    /// <summary>The journal and snapshot store alone (Persistence:*), as <see cref="Load"/> reads them; tools that use only the journal.</summary>
    /// <exception cref="ConfigurationException">A key has a value that cannot be used.</exception>
    public static PersistenceSettings LoadPersistence(IConfiguration configuration) =>
        ReadPersistence(new Reader(new SecretFiles(configuration)));

    private static PersistenceSettings ReadPersistence(Reader reader)
    {
        var provider = reader.Enum("Persistence:Provider", PersistenceProvider.Sqlite);
        var connectionString = reader.String("Persistence:ConnectionString", "Data Source=crm.db");
        var password = reader.Secret("Persistence:Password");
        if (provider == PersistenceProvider.PostgreSql)
            connectionString = PostgresConnectionString(connectionString, reader.Int("Persistence:MaxConnections", 20, min: 1), password);
        else if (password is not null)
            throw new ConfigurationException("Persistence:Password", "applies to PostgreSql only (Persistence:Provider is Sqlite)");
        return new PersistenceSettings(provider, connectionString);
    }

    /// <summary>
    /// Every node of a cluster shares one PostgreSQL, whose max_connections (100 by default) Npgsql's default pool of
    /// 100 per node would exceed: a burst of entity recoveries then fails with "too many clients". A pool size set in
    /// the connection string wins; otherwise each node keeps to Persistence:MaxConnections and queues for them.
    /// Persistence:Password, when set, is the password (so that it can come from a secret file, apart from the rest).
    /// </summary>
    private static string PostgresConnectionString(string connectionString, int maxConnections, string? password)
    {
        try
        {
            var explicitKeys = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            if (!explicitKeys.ContainsKey("Maximum Pool Size") && !explicitKeys.ContainsKey("MaxPoolSize"))
                builder.MaxPoolSize = maxConnections;
            if (password is not null)
                builder.Password = password;
            return builder.ConnectionString;
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException("Persistence:ConnectionString", $"is not a valid PostgreSQL connection string ({e.Message})");
        }
    }

    private sealed class Reader(SecretFiles configuration)
    {
        public string Required(string key, string hint)
        {
            var value = configuration[key];
            if (string.IsNullOrWhiteSpace(value)) throw new ConfigurationException(key, $"is required ({hint})");
            return value.Trim();
        }

        /// <summary>The trimmed value, or null when unset or blank.</summary>
        public string? Optional(string key) => string.IsNullOrWhiteSpace(configuration[key]) ? null : configuration[key]!.Trim();

        /// <summary>A password as given (spaces count), or null when unset or empty.</summary>
        public string? Secret(string key) => string.IsNullOrEmpty(configuration[key]) ? null : configuration[key];

        public bool Bool(string key, bool fallback)
        {
            var value = configuration[key];
            if (value is null) return fallback;
            return bool.TryParse(value.Trim(), out var parsed) ? parsed : throw new ConfigurationException(key, $"'{value}' is not true or false");
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

        public string OneOf(string key, string fallback, IReadOnlyList<string> allowed)
        {
            var value = String(key, fallback);
            return allowed.Contains(value) ? value : throw new ConfigurationException(key, $"'{value}' is not one of {string.Join(", ", allowed)}");
        }

        public T Enum<T>(string key, T fallback) where T : struct, System.Enum
        {
            var value = configuration[key];
            if (value is null) return fallback;
            // librdkafka spells names with dashes (cooperative-sticky): accept them as well as the enum's own names.
            if (!System.Enum.TryParse<T>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) || !System.Enum.IsDefined(parsed))
                throw new ConfigurationException(key, $"'{value}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}");
            return parsed;
        }

        public IReadOnlyDictionary<string, string> Section(string key) => configuration.Values(key);
    }
}
