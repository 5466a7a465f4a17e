using Akka.Actor;
using Akka.Hosting;
using Crm.Actors.Operating;
using Crm.Actors.Pipeline;
using Crm.Host.Configuration;
using Crm.Management;
using Serilog.Core;

namespace Crm.Host.Management;

/// <summary>
/// The management endpoint's routes: probes, the Prometheus scrape and the JSON API the CLI (<c>crm-cmd</c>) speaks.
/// Operator mistakes answer 4xx with an <see cref="ErrorView"/>; a part of the cluster that does not answer, 504.
/// </summary>
public static class ManagementEndpoints
{
    public static WebApplication MapManagement(this WebApplication app)
    {
        app.UseMiddleware<ManagementAuthentication>();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", async (ActorSystem system, ActorRegistry registry, KafkaPipeline pipeline) =>
        {
            var readiness = await Readiness.CheckAsync(system, registry, pipeline).ConfigureAwait(false);
            return Results.Json(readiness, statusCode: readiness.Ready ? 200 : 503);
        });
        app.MapPrometheusScrapingEndpoint("/metrics");

        var api = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (ManagementException e)
            {
                return Results.Json(new ErrorView(e.Message), statusCode: e.Status);
            }
            catch (AskTimeoutException e)
            {
                return Results.Json(new ErrorView($"the cluster did not answer in time ({e.Message})"), statusCode: 504);
            }
        });
        api.MapGet("/cluster", (ActorSystem system) => ClusterQueries.Show(system));
        api.MapPost("/cluster/leave", (ActorSystem system, ClusterAddressRequest request) => ClusterQueries.Leave(system, request.Address));
        api.MapPost("/cluster/down", (ActorSystem system, ClusterAddressRequest request) => ClusterQueries.Down(system, request.Address));
        api.MapPost("/cluster/down-unreachable", (ActorSystem system) => ClusterQueries.DownUnreachable(system));
        api.MapGet("/sharding/{region}/regions", (ActorSystem system, string region) => ShardingQueries.RegionsAsync(system, region));
        api.MapGet("/sharding/{region}/region-stats", (ActorSystem system, string region) => ShardingQueries.RegionStatsAsync(system, region));
        api.MapGet("/sharding/{region}/shard-stats", (ActorSystem system, string region) => ShardingQueries.ShardStatsAsync(system, region));
        api.MapGet("/actors", (ActorSystem system, string? path, int? depth) => ActorHierarchy.Of(system, path ?? "/user", depth ?? 2));
        api.MapGet("/pipeline", (ActorSystem system, CrmConfiguration config) =>
            NodeReports.PipelineAsync(system, config.Kafka.Topics, config.Customers.Partitions));
        api.MapGet("/braze", (ActorSystem system) => NodeReports.BrazeAsync(system));
        api.MapGet("/customers/{id}", (ActorSystem system, string id) => ShardingQueries.CustomerAsync(system, id));
        api.MapGet("/log-level", (ActorSystem system, LoggingLevelSwitch serilog) => LogLevels.Current(system, serilog));
        api.MapPut("/log-level", (ActorSystem system, LoggingLevelSwitch serilog, LogLevelRequest request) => LogLevels.Set(system, serilog, request.Level));
        return app;
    }
}
