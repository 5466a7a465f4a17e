using Akka.Hosting;
using Crm.Actors.Braze;
using Crm.Actors.Catalog;
using Crm.Actors.Customers;
using Crm.Actors.Hosting;
using Crm.Actors.Kafka;
using Crm.Actors.Operating;
using Crm.Actors.Pipeline;
using Crm.Host.Configuration;
using Crm.Host.Management;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Crm.Host;

/// <summary>The service's wiring, shared by Program and the tests: one Akka.Hosting chain over the validated configuration.</summary>
public static class CrmHost
{
    /// <param name="extend">
    /// More steps of the Akka.Hosting chain, after the service's own: a deployment's event types
    /// (<c>akka => akka.WithEventTypes(...)</c>, README "Extending").
    /// </param>
    public static WebApplicationBuilder AddCrmActors(this WebApplicationBuilder builder, CrmConfiguration config, Action<AkkaConfigurationBuilder>? extend = null)
    {
        builder.WebHost.UseUrls(config.Management.Url);

        var services = builder.Services;
        services.AddSingleton(config);
        services.AddSingleton(config.Management);
        // Program registers the switch its logger uses; in-process hosts (tests) get one of their own.
        services.TryAddSingleton(new Serilog.Core.LoggingLevelSwitch(config.LogLevel));
        services.AddSingleton(_ => new LagMonitor());
        services.AddSingleton<EntityLocality>();
        services.AddSingleton(sp => new CrmMetrics(
            sp.GetRequiredService<LagMonitor>(), sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<EntityLocality>(),
            new ConsumedTopics(config.Kafka.GroupId, config.Kafka.Topics)));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(CrmMetrics.MeterName).AddPrometheusExporter());
        services.AddSingleton(sp => new PipelineStats(sp.GetRequiredService<CrmMetrics>()));
        services.AddSingleton<BrazeCounters>();
        services.AddSingleton<IBrazeApi>(sp => new MeteredBrazeApi(new BrazeApi(config.Braze), sp.GetRequiredService<CrmMetrics>(), sp.GetRequiredService<BrazeCounters>()));
        services.AddSingleton<IDeadLetters>(sp => new KafkaDeadLetters(config.Kafka, sp.GetRequiredService<ILoggerFactory>().CreateLogger<KafkaDeadLetters>()));
        services.AddSingleton<ICatalog>(sp => config.Catalog is { } catalog
            ? new CatalogClient(catalog, sp.GetRequiredService<ILogger<CatalogClient>>())
            : NoCatalog.Instance);
        services.AddSingleton(sp => new KafkaPipeline(
            config.Kafka, config.Pipeline, sp.GetRequiredService<IDeadLetters>(), sp.GetRequiredService<PipelineStats>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<LagMonitor>()));

        services.AddAkka(ClusterSettings.SystemName, (akka, sp) => akka
            .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "crm.hocon"), HoconAddMode.Append)
            .WithEventTypes()
            .WithCrmLogging()
            .ConfigureLoggers(loggers => loggers.LogLevel = LogLevels.ToAkka(config.LogLevel)) // Logging:Level is Akka's too
            .WithCrmCluster(config.Cluster, sp.GetRequiredService<ILoggerFactory>())
            .WithCrmPersistence(config.Persistence)
            .WithBrazeGateway(config.Braze, sp.GetRequiredService<IBrazeApi>(), sp.GetRequiredService<IDeadLetters>(), sp.GetRequiredService<BrazeCounters>(), sp.GetRequiredService<CrmMetrics>())
            .WithCustomerSharding(config.Customers, sp.GetRequiredService<ICatalog>(), sp.GetRequiredService<EntityLocality>(), sp.GetRequiredService<CrmMetrics>())
            .WithCrmManagement(sp.GetRequiredService<CrmMetrics>(), sp.GetRequiredService<LagMonitor>(), sp.GetRequiredService<PipelineStats>(), sp.GetRequiredService<BrazeCounters>())
            .WithKafkaPipeline(sp.GetRequiredService<KafkaPipeline>(), sp.GetRequiredService<ILoggerFactory>())
            .Extend(extend));
        services.AddHostedService<ReadinessGauge>();
        return builder;
    }

    /// <summary>Builds and starts the service in this process over <paramref name="settings"/> (tests, benchmarks).</summary>
    public static async Task<WebApplication> StartInProcessAsync(IDictionary<string, string?> settings, Action<AkkaConfigurationBuilder>? extend = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddCrmActors(CrmConfiguration.Load(builder.Configuration), extend);
        var app = builder.Build();
        app.MapCrmEndpoints();
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    public static WebApplication MapCrmEndpoints(this WebApplication app) => app.MapManagement();

    private static AkkaConfigurationBuilder Extend(this AkkaConfigurationBuilder builder, Action<AkkaConfigurationBuilder>? extend)
    {
        extend?.Invoke(builder);
        return builder;
    }
}
