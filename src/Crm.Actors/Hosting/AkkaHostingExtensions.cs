using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using Crm.Actors.Braze;
using Crm.Actors.Catalog;
using Crm.Actors.Customers;
using Crm.Actors.EventTypes;
using Crm.Actors.Kafka;
using Crm.Actors.Pipeline;
using Crm.Actors.Serialization;
using LinqToDB;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Hosting;

/// <summary>Each feature of Crm.Actors as one step of the Akka.Hosting chain; the host and the tests use the same steps.</summary>
public static class AkkaHostingExtensions
{
    /// <summary>
    /// The event types the node handles: the contract's eight (<see cref="EventCatalog.Default"/>) and
    /// <paramref name="more"/>, a deployment's own (README "Extending"). The decoder, the entities, the serializer and
    /// the metrics read them from the actor system. Call it once, with every type to add.
    /// </summary>
    public static AkkaConfigurationBuilder WithEventTypes(this AkkaConfigurationBuilder builder, params EventType[] more) =>
        builder.AddSetup(new EventCatalogSetup(EventCatalog.Default.With(more)));

    /// <summary>Akka's log goes through Serilog, with named template properties.</summary>
    public static AkkaConfigurationBuilder WithCrmLogging(this AkkaConfigurationBuilder builder) =>
        builder.ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLogger<SerilogLogger>();
            // Akka 1.5.7x formats named templates itself (SemanticLogMessageFormatter is the default, and
            // setting SerilogLogMessageFormatter is obsolete): {Name} properties reach Serilog as properties.
        });

    /// <summary>
    /// Remoting advertised as <c>Cluster:Hostname</c>:<c>Cluster:Port</c> and listening on <c>Cluster:BindHostname</c>
    /// (by default the advertised address only), with mutual TLS when <see cref="ClusterSettings.Tls"/> is set (refused
    /// peers are logged through <paramref name="loggers"/>); joins <c>Cluster:SeedNodes</c>, or itself when none.
    /// </summary>
    public static AkkaConfigurationBuilder WithCrmCluster(this AkkaConfigurationBuilder builder, ClusterSettings settings, ILoggerFactory loggers)
    {
        var remote = new RemoteOptions { HostName = settings.BindHostname ?? settings.Hostname, PublicHostName = settings.Hostname, Port = settings.Port };
        if (settings.Tls is { } tls)
        {
            remote.EnableSsl = true;
            remote.Ssl = new SslOptions
            {
                X509Certificate = tls.Certificate,
                SuppressValidation = false,
                // Akka's default since the fix of CVE-2025-61778, stated so that no default can turn it off.
                RequireMutualAuthentication = true,
                // Our validator decides; it takes precedence over Akka's own, which trusts the machine's CA store.
                CustomValidator = PeerCertificates.Validator(tls, loggers.CreateLogger(typeof(PeerCertificates))),
            };
        }
        builder
            .WithRemoting(remote)
            .WithClustering(new ClusterOptions { SeedNodes = settings.SeedNodes.ToArray() })
            // The split-brain resolver (keep-majority, in hocon/crm.hocon) downs unreachable members after this.
            .AddHocon(
                $"akka.cluster.split-brain-resolver.stable-after = {(long)settings.DownUnreachableAfter.TotalMilliseconds}ms",
                HoconAddMode.Prepend);
        if (settings.SeedNodes.Count == 0)
            builder.AddStartup((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress));
        return builder;
    }

    /// <summary>
    /// Akka.Persistence.Sql journal and snapshot store: SQLite (embedded default) or PostgreSQL, storing
    /// <see cref="CrmSerializer"/>'s JSON with stable manifests.
    /// <para>The provider name is given beside the linq2db options on purpose: the plugin picks the indexes it creates
    /// with the tables (the unique <c>(persistence_id, sequence_number)</c> index every recovery and write reads) by the
    /// provider name alone, and its <c>WithSqlPersistence(DataOptions)</c> overload leaves that name empty, so the tables
    /// came without any index and each recovery scanned the whole journal (12 ms of CPU per entity at 35,000 rows).
    /// Creating them is idempotent (<c>IF NOT EXISTS</c>), so a journal created without them gets them at the next start.</para>
    /// </summary>
    public static AkkaConfigurationBuilder WithCrmPersistence(this AkkaConfigurationBuilder builder, PersistenceSettings settings)
    {
        var providerName = settings.Provider == PersistenceProvider.PostgreSql ? ProviderName.PostgreSQL15 : ProviderName.SQLiteMS;
        var data = new DataOptions().UseConnectionString(providerName, settings.ConnectionString);
        if (settings.Provider == PersistenceProvider.Sqlite)
        {
            SqliteJournalTuning.UseWriteAheadLog(settings.ConnectionString);
            data = SqliteJournalTuning.ConfigureConnections(data);
        }
        return builder
            .AddHocon(settings.Provider == PersistenceProvider.Sqlite ? SqliteJournalTuning.Hocon : "", HoconAddMode.Append)
            .WithCustomSerializer("crm", CrmSerializer.BoundTypes, system => new CrmSerializer(system))
            .WithSqlPersistence(
                new SqlJournalOptions(isDefaultPlugin: true) { DataOptions = data, ProviderName = providerName, AutoInitialize = true },
                new SqlSnapshotOptions(isDefaultPlugin: true) { DataOptions = data, ProviderName = providerName, AutoInitialize = true });
    }

    /// <summary>The node's Braze gateway, registered as <see cref="BrazeGateway"/>; <paramref name="metrics"/>: its queueing time (null: not measured).</summary>
    public static AkkaConfigurationBuilder WithBrazeGateway(
        this AkkaConfigurationBuilder builder, BrazeSettings settings, IBrazeApi api, IDeadLetters deadLetters, BrazeCounters counters,
        Operating.CrmMetrics? metrics = null) =>
        builder.WithActors((system, registry) =>
            registry.Register<BrazeGateway>(system.ActorOf(BrazeGateway.Props(settings, api, deadLetters, counters, metrics: metrics), "braze-gateway")));

    /// <summary>
    /// The customer entities, sharded by customer id with shard = Kafka partition, each under the backoff
    /// supervisor of <see cref="Supervision.CustomerEntity"/>. Shards are placed by
    /// <see cref="PartitionAlignedAllocation"/> (Akka's external allocation), told by
    /// <see cref="PartitionShardAlignment"/> where each partition is consumed (Akka.Hosting's
    /// <c>WithShardRegion</c> cannot take an allocation strategy).
    /// </summary>
    public static AkkaConfigurationBuilder WithCustomerSharding(
        this AkkaConfigurationBuilder builder, CustomerSettings settings, ICatalog catalog, EntityLocality locality, Operating.CrmMetrics? metrics = null) =>
        builder.WithActors(async (system, registry) =>
        {
            var gateway = registry.Get<BrazeGateway>();
            var eventTypes = EventCatalog.Of(system);
            var live = new LiveEntities<IActorRef>(settings.MaxLiveEntities);
            var region = await ClusterSharding.Get(system).StartAsync(
                CustomerActor.EntityType,
                customerId => Supervision.CustomerEntity(CustomerActor.Props(customerId, gateway, catalog, eventTypes, settings, locality, metrics, live), settings),
                ClusterSharding.Get(system).Settings
                    .WithStateStoreMode(StateStoreMode.DData)
                    .WithRememberEntities(false)
                    .WithPassivateIdleAfter(settings.PassivateAfter),
                CustomerMessageExtractor.For(settings),
                new PartitionAlignedAllocation(system),
                // Not a PoisonPill: the entity first finishes what it handed to the gateway (see CustomerActor.Stop).
                CustomerActor.Stop.Instance).ConfigureAwait(false);
            registry.Register<CustomerActor>(region);
        });

    /// <summary>Starts the Kafka pipeline into the customer region once this node is Up in the cluster.</summary>
    public static AkkaConfigurationBuilder WithKafkaPipeline(
        this AkkaConfigurationBuilder builder, KafkaPipeline pipeline, ILoggerFactory loggers) =>
        // Only a member of the cluster takes partitions from the group: a node that cannot join (refused at TLS, seeds
        // unreachable) would hold partitions it cannot serve.
        builder.AddStartup((system, registry) => Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => pipeline.Start(
            system, registry.Get<CustomerActor>(), new PartitionShardAlignment(system, loggers.CreateLogger<PartitionShardAlignment>()))));
}
