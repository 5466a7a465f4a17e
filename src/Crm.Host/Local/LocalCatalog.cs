using System.Collections.Concurrent;
using System.Text.Json;

namespace Crm.Host.Local;

public sealed record CatalogActivity(string ActivityId, string Title, string City, string Country, string Category);

/// <summary>A local Activity Catalog: <c>GET /activities/{id}</c> answers 200 or 404; <see cref="Override"/> scripts failures.</summary>
public sealed class LocalCatalog : LocalHttpServer
{
    private int _requests;

    public ConcurrentDictionary<string, CatalogActivity> Activities { get; } = new();

    /// <summary>Status and delay to answer instead of the normal answer, or null.</summary>
    public Func<string, (int Status, TimeSpan Delay)?>? Override { get; set; }

    /// <summary>How long to take before a normal answer, by activity id (null: answer at once).</summary>
    public Func<string, TimeSpan>? Latency { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<LocalCatalog> StartAsync(IEnumerable<CatalogActivity> activities, int port = 0)
    {
        var catalog = new LocalCatalog();
        foreach (var activity in activities) catalog.Activities[activity.ActivityId] = activity;
        await catalog.StartAsync(port).ConfigureAwait(false);
        return catalog;
    }

    public Task StartAsync(int port = 0) => StartAsync(port, app => app.MapGet("/activities/{id}", async (string id, HttpContext context) =>
    {
        Interlocked.Increment(ref _requests);
        if (Override?.Invoke(id) is { } scripted)
        {
            if (scripted.Delay > TimeSpan.Zero)
            {
                try { await Task.Delay(scripted.Delay, context.RequestAborted).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
            context.Response.StatusCode = scripted.Status;
            return;
        }
        if (Latency?.Invoke(id) is { } latency && latency > TimeSpan.Zero)
        {
            try { await Task.Delay(latency, context.RequestAborted).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
        if (!Activities.TryGetValue(id, out var activity))
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            activity_id = activity.ActivityId,
            title = activity.Title,
            city = activity.City,
            country = activity.Country,
            category = activity.Category,
        })).ConfigureAwait(false);
    }));
}
