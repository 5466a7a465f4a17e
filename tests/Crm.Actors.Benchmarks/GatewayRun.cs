using Akka.Actor;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Kafka;
using Crm.Host.Configuration;
using Crm.Host.Demo;
using Crm.Host.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.Actors.Benchmarks;

public sealed record GatewayResult(
    int RequestsPerWindowLimit,
    double WindowSeconds,
    int MaxObjectsPerRequest,
    int FullWindows,
    double MeanRequestsPerWindow,
    long MaxRequestsPerWindow,
    double ObjectsPerSecond,
    double ObjectsPerRequest,
    long TooManyRequests)
{
    public double LimitObjectsPerSecond => RequestsPerWindowLimit * MaxObjectsPerRequest / WindowSeconds;
}

/// <summary>
/// (c) The Braze gateway alone, with the service's default throttle, against a local Braze that enforces the same
/// limit in fixed windows and answers 429 past it. It is fed the objects of the workload's records (mapped as for a
/// new customer), keeping <c>Pipeline:MaxRecordsInFlight</c> deliveries outstanding as the pipeline would.
/// </summary>
public sealed class GatewayRun(string bootstrap, BenchmarkOptions options)
{
    private const string ApiKey = "bench-key";

    public async Task<GatewayResult> RunAsync(IReadOnlyList<SampleRecord> records)
    {
        var deliveries = records
            .Select(r => EventDecoder.Decode(r.Topic, System.Text.Encoding.UTF8.GetBytes(r.Key), r.Value))
            .OfType<DecodeResult.Valid>()
            .Select(v => MapAsNewCustomer(v.Event))
            .Where(objects => objects.Count > 0)
            .ToList();

        var configured = Configuration(new Uri("http://127.0.0.1:1/"));
        await using var braze = await LocalBraze.StartAsync(ApiKey, configured.Braze.RequestsPerWindow, configured.Braze.Window);
        braze.KeepRequests = false;
        var settings = Configuration(braze.BaseUrl);
        using var api = new BrazeApi(settings.Braze);
        using var deadLetters = new KafkaDeadLetters(settings.Kafka, NullLogger.Instance);
        var system = ActorSystem.Create("bench-gateway", "akka.loglevel = WARNING");
        try
        {
            var gateway = system.ActorOf(BrazeGateway.Props(settings.Braze, api, deadLetters, new BrazeCounters()), "braze-gateway");
            var started = DateTimeOffset.UtcNow;
            var feeder = system.ActorOf(Props.Create(() => new Feeder(gateway, deliveries, settings.Pipeline.MaxRecordsInFlight)), "feeder");
            await Task.Delay(options.ThrottleDuration);
            await feeder.GracefulStop(TimeSpan.FromSeconds(10));
            var stopped = DateTimeOffset.UtcNow;
            return Summarize(braze, settings.Braze, started, stopped);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private CrmConfiguration Configuration(Uri braze)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Braze:RestEndpoint"] = braze.ToString(),
            ["Braze:ApiKey"] = ApiKey,
        };
        foreach (var (key, value) in options.ServiceSettings) settings[key] = value;
        return CrmConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }

    private static IReadOnlyList<MarketingObject> MapAsNewCustomer(DomainEvent domainEvent)
    {
        var type = EventCatalog.Default.Of(domainEvent);
        var details = type.Wants(domainEvent) is { } wanted && SampleEvents.Activities.FirstOrDefault(a => a.ActivityId == wanted.ActivityId) is { } a
            ? new ActivityDetails(a.Title, a.City, a.Country)
            : ActivityDetails.Empty;
        var after = CustomerState.Empty.ApplyAll(type.Decide(domainEvent, CustomerState.Empty, details));
        return type.Map(domainEvent, CustomerState.Empty, after, details);
    }

    /// <summary>Only the server's windows that lie wholly inside the run count: the first and last are partial.</summary>
    private static GatewayResult Summarize(LocalBraze braze, BrazeSettings settings, DateTimeOffset started, DateTimeOffset stopped)
    {
        var windowMs = (long)settings.Window.TotalMilliseconds;
        var full = braze.Windows
            .Where(w => w.Key >= started.ToUnixTimeMilliseconds() && w.Key + windowMs <= stopped.ToUnixTimeMilliseconds())
            .Select(w => w.Value)
            .ToList();
        var requests = full.Sum(w => w.Requests);
        var objects = full.Sum(w => w.Objects);
        return new GatewayResult(
            settings.RequestsPerWindow, settings.Window.TotalSeconds, settings.MaxObjectsPerRequest, full.Count,
            full.Count == 0 ? 0 : (double)requests / full.Count,
            full.Count == 0 ? 0 : full.Max(w => w.Requests),
            full.Count == 0 ? 0 : objects / (full.Count * settings.Window.TotalSeconds),
            requests == 0 ? 0 : (double)objects / requests,
            braze.Windows.Values.Sum(w => w.TooManyRequests));
    }

    /// <summary>Keeps <c>inFlight</c> deliveries at the gateway, sending the next as each is delivered.</summary>
    private sealed class Feeder : ReceiveActor
    {
        private readonly IActorRef _gateway;
        private readonly IReadOnlyList<IReadOnlyList<MarketingObject>> _deliveries;
        private long _next;

        public Feeder(IActorRef gateway, IReadOnlyList<IReadOnlyList<MarketingObject>> deliveries, int inFlight)
        {
            _gateway = gateway;
            _deliveries = deliveries;
            Receive<BrazeGateway.Delivered>(_ => SendNext());
            for (var i = 0; i < inFlight; i++) SendNext();
        }

        private void SendNext()
        {
            var objects = _deliveries[(int)(_next % _deliveries.Count)];
            _gateway.Tell(new BrazeGateway.Deliver($"bench-{_next++}", objects, Self, null));
        }
    }
}
