using System.Collections.Concurrent;
using System.Net;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Flurl.Http;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Catalog;

public sealed record CatalogSettings(
    string BaseUrl,
    TimeSpan RequestTimeout,
    TimeSpan CacheTtl,
    TimeSpan MinBackoff,
    TimeSpan MaxBackoff);

/// <summary>
/// The Activity Catalog over HTTP (Flurl). Answers are cached (404s too); any answer other than 200 or 404,
/// and no answer at all, is retried with exponential backoff until it succeeds: an event is never sent
/// half-enriched because the catalog is down. Concurrent lookups of one activity share one request.
/// </summary>
public sealed class CatalogClient(CatalogSettings settings, ILogger<CatalogClient> logger) : ICatalog, IDisposable
{
    private readonly FlurlClient _client = new FlurlClient(settings.BaseUrl).WithTimeout(settings.RequestTimeout);
    private readonly ConcurrentDictionary<string, Lazy<Task<CachedAnswer>>> _cache = new(StringComparer.Ordinal);

    public async Task<ActivityDetails?> LookupAsync(string activityId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = _cache.GetOrAdd(activityId, id => new Lazy<Task<CachedAnswer>>(() => FetchWithRetriesAsync(id, cancellationToken)));
            CachedAnswer answer;
            try
            {
                answer = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The lookup we joined was cancelled by its own caller: start a fresh one.
                _cache.TryRemove(KeyValuePair.Create(activityId, entry));
                continue;
            }
            if (answer.FetchedAt + settings.CacheTtl > DateTimeOffset.UtcNow)
                return answer.Details;
            _cache.TryRemove(KeyValuePair.Create(activityId, entry));
        }
    }

    private async Task<CachedAnswer> FetchWithRetriesAsync(string activityId, CancellationToken cancellationToken)
    {
        var backoff = settings.MinBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var response = await _client.Request("activities", activityId)
                    .AllowHttpStatus(404)
                    .GetAsync(cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                if (response.StatusCode == (int)HttpStatusCode.NotFound)
                    return new CachedAnswer(null, DateTimeOffset.UtcNow);
                var body = await response.GetJsonAsync<CatalogActivity>().ConfigureAwait(false);
                return new CachedAnswer(new ActivityDetails(Blank(body.title), Blank(body.city), Blank(body.country)), DateTimeOffset.UtcNow);
            }
            catch (Exception e) when (e is FlurlHttpException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Catalog lookup of {ActivityId} failed (attempt {Attempt}): {Reason}; retrying in {Backoff}",
                    activityId, attempt, e.Message, backoff);
            }
            await Task.Delay(Jittered(backoff), cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxBackoff.Ticks));
        }
    }

    private static TimeSpan Jittered(TimeSpan delay) => delay * (0.8 + Random.Shared.NextDouble() * 0.4);

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public void Dispose() => _client.Dispose();

    private sealed record CachedAnswer(ActivityDetails? Details, DateTimeOffset FetchedAt);

    // ReSharper disable InconsistentNaming: the catalog's JSON names.
    private sealed record CatalogActivity(string? activity_id, string? title, string? city, string? country, string? category);
}
