using Crm.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Actors.Tests.Support;

/// <summary>The real service (same wiring as Program) started in-process over the given settings.</summary>
public sealed class CrmTestHost : IAsyncDisposable
{
    private CrmTestHost(WebApplication app) => App = app;

    public WebApplication App { get; }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <param name="extend">More steps of the service's Akka.Hosting chain (e.g. a test's event types).</param>
    public static async Task<CrmTestHost> StartAsync(IDictionary<string, string?> settings, Action<Akka.Hosting.AkkaConfigurationBuilder>? extend = null) =>
        new(await CrmHost.StartInProcessAsync(settings, extend));

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
