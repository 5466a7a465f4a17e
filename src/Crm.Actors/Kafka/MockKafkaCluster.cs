using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Crm.Actors.Kafka;

/// <summary>
/// librdkafka's built-in mock Kafka cluster: real brokers speaking the Kafka protocol over TCP on loopback,
/// inside this process. Used by <c>--demo</c> and the tests; it also injects faults (broker down, request errors,
/// leader moves). Production never uses it.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private const string Library = "librdkafka";
    private nint _client;
    private nint _cluster;

    static MockKafkaCluster() => NativeLibrary.SetDllImportResolver(typeof(MockKafkaCluster).Assembly, Resolve);

    public MockKafkaCluster(int brokers = 3)
    {
        var config = rd_kafka_conf_new();
        var error = new StringBuilder(512);
        // A client is needed to host the cluster; it never connects anywhere.
        rd_kafka_conf_set(config, "client.id", "crm-mock-kafka-host", error, (nuint)error.Capacity);
        rd_kafka_conf_set(config, "log_level", "3", error, (nuint)error.Capacity);
        _client = rd_kafka_new(RdKafkaProducer, config, error, (nuint)error.Capacity);
        if (_client == 0) throw new InvalidOperationException($"librdkafka could not create a client: {error}");
        _cluster = rd_kafka_mock_cluster_new(_client, brokers);
        if (_cluster == 0) throw new InvalidOperationException("librdkafka could not create a mock cluster");
        BootstrapServers = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("mock cluster has no bootstrap address");
        Brokers = brokers;
    }

    public string BootstrapServers { get; }

    public int Brokers { get; }

    public void CreateTopic(string topic, int partitions = 4, int replicationFactor = 1) =>
        Check(rd_kafka_mock_topic_create(_cluster, topic, partitions, replicationFactor), $"creating topic {topic}");

    /// <summary>Broker ids are 1..<see cref="Brokers"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(rd_kafka_mock_broker_set_down(_cluster, brokerId), $"taking broker {brokerId} down");

    public void SetBrokerUp(int brokerId) => Check(rd_kafka_mock_broker_set_up(_cluster, brokerId), $"bringing broker {brokerId} up");

    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(rd_kafka_mock_partition_set_leader(_cluster, topic, partition, brokerId), $"moving the leader of {topic}[{partition}]");

    /// <summary>The next requests of <paramref name="apiKey"/> (Kafka protocol API key) fail with these error codes, in order.</summary>
    public void PushRequestErrors(short apiKey, params int[] errorCodes) =>
        rd_kafka_mock_push_request_errors_array(_cluster, apiKey, (nuint)errorCodes.Length, errorCodes);

    public void Dispose()
    {
        if (_cluster != 0) rd_kafka_mock_cluster_destroy(_cluster);
        if (_client != 0) rd_kafka_destroy(_client);
        _cluster = 0;
        _client = 0;
    }

    private static void Check(int errorCode, string what)
    {
        if (errorCode != 0) throw new InvalidOperationException($"mock Kafka: {what} failed with librdkafka error {errorCode}");
    }

    /// <summary>Finds the librdkafka that Confluent.Kafka ships (runtimes/&lt;rid&gt;/native) for our own imports.</summary>
    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return 0;
        var file = OperatingSystem.IsWindows() ? "librdkafka.dll" : OperatingSystem.IsMacOS() ? "librdkafka.dylib" : "librdkafka.so";
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", $"{os}-{arch}", "native");
        // Like Confluent.Kafka: the default build needs libsasl2.so.3, which Debian lacks; the centos8 build does not.
        foreach (var candidate in new[]
                 {
                     Path.Combine(native, file),
                     Path.Combine(native, "centos8-" + file),
                     Path.Combine(AppContext.BaseDirectory, file),
                 })
        {
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        }
        return NativeLibrary.TryLoad(file, assembly, path, out var fallback) ? fallback : 0;
    }

    private const int RdKafkaProducer = 0;

    [DllImport(Library)]
    private static extern nint rd_kafka_conf_new();

    [DllImport(Library)]
    private static extern int rd_kafka_conf_set(nint conf, string name, string value, StringBuilder errstr, nuint errstrSize);

    [DllImport(Library)]
    private static extern nint rd_kafka_new(int type, nint conf, StringBuilder errstr, nuint errstrSize);

    [DllImport(Library)]
    private static extern void rd_kafka_destroy(nint rk);

    [DllImport(Library)]
    private static extern nint rd_kafka_mock_cluster_new(nint rk, int brokerCount);

    [DllImport(Library)]
    private static extern void rd_kafka_mock_cluster_destroy(nint cluster);

    [DllImport(Library)]
    private static extern nint rd_kafka_mock_cluster_bootstraps(nint cluster);

    [DllImport(Library)]
    private static extern int rd_kafka_mock_topic_create(nint cluster, string topic, int partitions, int replicationFactor);

    [DllImport(Library)]
    private static extern int rd_kafka_mock_broker_set_down(nint cluster, int brokerId);

    [DllImport(Library)]
    private static extern int rd_kafka_mock_broker_set_up(nint cluster, int brokerId);

    [DllImport(Library)]
    private static extern int rd_kafka_mock_partition_set_leader(nint cluster, string topic, int partition, int brokerId);

    [DllImport(Library)]
    private static extern void rd_kafka_mock_push_request_errors_array(nint cluster, short apiKey, nuint count, int[] errors);
}
