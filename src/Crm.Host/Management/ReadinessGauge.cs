using Akka.Actor;
using Akka.Hosting;
using Crm.Actors.Operating;
using Crm.Actors.Pipeline;

namespace Crm.Host.Management;

/// <summary>
/// Runs the <c>/readyz</c> check every second and publishes its verdict as <c>crm_node_ready</c>, so that an alert sees
/// readiness without probing the node itself. 0 until the first check passes.
/// </summary>
public sealed class ReadinessGauge(IServiceProvider services, CrmMetrics metrics, ILogger<ReadinessGauge> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                metrics.Ready(await CheckAsync().ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A check that cannot run (the actor system starting or stopping) means not ready; it never stops the host.</summary>
    private async Task<bool> CheckAsync()
    {
        try
        {
            // Resolved per check: the actor system exists only once Akka's hosted service has started it.
            var readiness = await Readiness.CheckAsync(
                services.GetRequiredService<ActorSystem>(), services.GetRequiredService<ActorRegistry>(), services.GetRequiredService<KafkaPipeline>()).ConfigureAwait(false);
            return readiness.Ready;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug(e, "Readiness check could not run: {Reason}", e.Message);
            return false;
        }
    }
}
