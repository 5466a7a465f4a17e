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

    public static async Task<CrmTestHost> StartAsync(IDictionary<string, string?> settings)
    {
        return new CrmTestHost(await CrmHost.StartInProcessAsync(settings));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
