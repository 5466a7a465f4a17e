using System.Net;
using System.Text;
using System.Text.Json;
using Flurl.Http;

namespace Crm.Actors.Braze;

public sealed record BrazeSettings(
    Uri RestEndpoint,
    string ApiKey,
    int RequestsPerWindow,
    TimeSpan Window,
    int MaxObjectsPerRequest,
    int MaxRequestsInFlight,
    TimeSpan RequestTimeout,
    TimeSpan MinBackoff,
    TimeSpan MaxBackoff)
{
    /// <summary>
    /// How many event ids the gateway remembers as accepted (0: none). A delivery of a remembered id is answered at once
    /// instead of sent: it covers an entity that restarted before it heard the answer (its ledger has no entry then).
    /// </summary>
    public int RememberAccepted { get; init; } = DefaultRememberAccepted;

    /// <summary>About 2 MB of keys: many minutes of a node's deliveries at Braze's rate limit.</summary>
    public const int DefaultRememberAccepted = 65_536;

    /// <summary>
    /// Requests to /users/delete in any <see cref="DeleteWindow"/>: its own limit, apart from /users/track's
    /// (<see cref="RequestsPerWindow"/>); Braze's default is 20,000 a minute (<see cref="BrazeLimits.DeleteRequestsPerMinute"/>).
    /// </summary>
    public int DeleteRequestsPerWindow { get; init; } = BrazeLimits.DeleteRequestsPerMinute;

    public TimeSpan DeleteWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The endpoint as it may be logged: without user information or query (the key itself never is in it).</summary>
    public string EndpointForLogs => new UriBuilder(RestEndpoint) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri.ToString().TrimEnd('/');

    /// <summary>The key is a secret: records print their members, so this one never shows it.</summary>
    public override string ToString() =>
        $"BrazeSettings {{ RestEndpoint = {EndpointForLogs}, ApiKey = ***, RequestsPerWindow = {RequestsPerWindow}, Window = {Window}, " +
        $"MaxObjectsPerRequest = {MaxObjectsPerRequest}, MaxRequestsInFlight = {MaxRequestsInFlight} }}";
}

/// <summary>How Braze answered one request.</summary>
public abstract record BrazeOutcome(RateLimitInfo? RateLimit)
{
    /// <summary>201: accepted, except the objects listed in <paramref name="Rejected"/> (index in the batch, Braze's reason).</summary>
    public sealed record Accepted(IReadOnlyList<(int Index, string Reason)> Rejected, RateLimitInfo? RateLimit) : BrazeOutcome(RateLimit);

    /// <summary>400 with Braze's message: Braze blames the data of the whole request; its objects are dead-lettered.</summary>
    public sealed record Refused(int Status, string Reason, RateLimitInfo? RateLimit) : BrazeOutcome(RateLimit);

    /// <summary>
    /// The configuration is wrong: 401/403 (the key), 404/405 (the endpoint), any answer that is not Braze's API. Sending
    /// halts; nothing is dead-lettered. <paramref name="Reason"/> names the URL and the setting to check, never the key.
    /// </summary>
    public sealed record Halting(int Status, string Reason, RateLimitInfo? RateLimit) : BrazeOutcome(RateLimit);

    /// <summary>413 for a request of several objects: it was too large; its halves go again.</summary>
    public sealed record TooLarge(int Status, RateLimitInfo? RateLimit) : BrazeOutcome(RateLimit);

    /// <summary>429, 5xx, timeouts, refused connections: retry later. <see cref="HttpStatus"/>: the answer's, when there was one.</summary>
    public sealed record Transient(string Reason, RateLimitInfo? RateLimit) : BrazeOutcome(RateLimit)
    {
        public int? HttpStatus { get; init; }
    }

    /// <summary>
    /// What an HTTP answer means (<c>braze-mapping.md</c>, "Calls"). Only answers that blame the data dead-letter it: per-object
    /// errors in a 2xx, a 400 carrying Braze's message. 401, 403, 404, 405, a 2xx or 4xx that is not Braze's (no JSON
    /// <c>message</c>) and any other unexpected 4xx say the configuration is wrong: halt. 413 splits; a 413 for a single
    /// object (which our bounds keep far below Braze's 4 MB) means something in front of Braze limits bodies: halt too.
    /// </summary>
    /// <param name="url">The request's URL as it may be logged (<see cref="BrazeSettings.EndpointForLogs"/> plus the path).</param>
    public static BrazeOutcome Classify(int status, string body, BrazeBatch batch, string url, int bodyBytes, RateLimitInfo? rateLimit)
    {
        var message = BrazeRequestBody.Message(body);
        return status switch
        {
            >= 200 and < 300 when message is not null =>
                new Accepted(batch.IsDelete ? [] : BrazeRequestBody.RejectedObjects(batch.Items, body), rateLimit),
            >= 200 and < 300 => new Halting(status,
                $"HTTP {status} from {url} without Braze's answer (no JSON message): Braze:RestEndpoint is not Braze's REST API", rateLimit),
            400 when message is not null => new Refused(status, $"HTTP 400: {message}", rateLimit),
            401 => new Halting(status, $"HTTP 401 from {url}: Braze refuses the API key (check Braze:ApiKey)", rateLimit),
            403 => new Halting(status, $"HTTP 403 from {url}: the API key may not use this endpoint (check Braze:ApiKey's permissions)", rateLimit),
            404 => new Halting(status, $"HTTP 404 from {url}: no Braze REST API at this address (check Braze:RestEndpoint)", rateLimit),
            405 => new Halting(status, $"HTTP 405 from {url}: this address does not take Braze's requests (check Braze:RestEndpoint)", rateLimit),
            413 when batch.Items.Count > 1 => new TooLarge(status, rateLimit),
            413 => new Halting(status,
                $"HTTP 413 from {url} for a single object of {bodyBytes} bytes, within Braze's {BrazeLimits.MaxRequestBytes:N0}: " +
                "something in front of Braze limits request bodies (check Braze:RestEndpoint)", rateLimit),
            408 or 429 or >= 500 => new Transient($"HTTP {status}", rateLimit) { HttpStatus = status },
            _ => new Halting(status,
                $"HTTP {status} from {url}{(message is null ? " without Braze's message" : $" ({message})")}: not an answer about the data (check Braze:RestEndpoint)",
                rateLimit),
        };
    }
}

public interface IBrazeApi
{
    Task<BrazeOutcome> SendAsync(BrazeBatch batch, CancellationToken cancellationToken = default);
}

/// <summary>
/// The Braze REST API over Flurl: <c>/users/track</c> and <c>/users/delete</c>. Classifies every answer into a
/// <see cref="BrazeOutcome"/> (<see cref="BrazeOutcome.Classify"/>); it never throws for an HTTP or network failure.
/// </summary>
public sealed class BrazeApi : IBrazeApi, IDisposable
{
    private readonly FlurlClient _client;
    private readonly string _endpointForLogs;

    public BrazeApi(BrazeSettings settings)
    {
        _endpointForLogs = settings.EndpointForLogs;
        _client = new FlurlClient(settings.RestEndpoint.ToString())
            .WithTimeout(settings.RequestTimeout)
            .WithHeader("Authorization", "Bearer " + settings.ApiKey)
            .AllowAnyHttpStatus();
    }

    public async Task<BrazeOutcome> SendAsync(BrazeBatch batch, CancellationToken cancellationToken = default)
    {
        var body = batch.IsDelete ? BrazeRequestBody.Delete(batch.Items) : BrazeRequestBody.Track(batch.Items, out _);
        var path = batch.IsDelete ? "users/delete" : "users/track";
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = (await _client.Request(path).PostAsync(content, cancellationToken: cancellationToken).ConfigureAwait(false)).ResponseMessage;
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return BrazeOutcome.Classify((int)response.StatusCode, text, batch, $"{_endpointForLogs}/{path}", Encoding.UTF8.GetByteCount(body),
                ReadRateLimit(response));
        }
        catch (FlurlHttpTimeoutException)
        {
            return new BrazeOutcome.Transient("timed out", null);
        }
        catch (FlurlHttpException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new BrazeOutcome.Transient(e.InnerException?.Message ?? e.Message, null);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new BrazeOutcome.Transient(e.Message, null);
        }
    }

    private static RateLimitInfo? ReadRateLimit(HttpResponseMessage response)
    {
        int? Header(string name) =>
            response.Headers.TryGetValues(name, out var values) && int.TryParse(values.FirstOrDefault(), out var v) ? v : null;
        long? resetSeconds = response.Headers.TryGetValues("X-RateLimit-Reset", out var resets) && long.TryParse(resets.FirstOrDefault(), out var r) ? r : null;
        var limit = Header("X-RateLimit-Limit");
        var remaining = Header("X-RateLimit-Remaining");
        if (limit is null && remaining is null && resetSeconds is null) return null;
        return new RateLimitInfo(limit, remaining, resetSeconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null);
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>Builds request bodies from pre-rendered objects and reads Braze's answers. Pure.</summary>
public static class BrazeRequestBody
{
    private static readonly (MarketingObjectKind Kind, string Array)[] Arrays =
    [
        (MarketingObjectKind.Attributes, "attributes"),
        (MarketingObjectKind.Event, "events"),
        (MarketingObjectKind.Purchase, "purchases"),
    ];

    /// <summary>
    /// <c>{"attributes":[...],"events":[...],"purchases":[...]}</c>, empty arrays left out. Objects keep their
    /// batch order within each array; <paramref name="positions"/> maps (array, index) back to the batch index.
    /// </summary>
    public static string Track(IReadOnlyList<PendingObject> items, out Dictionary<(string Array, int Index), int> positions)
    {
        positions = new Dictionary<(string, int), int>();
        var body = new StringBuilder(items.Sum(i => i.Object.Json.Length + 1) + 64).Append('{');
        var firstArray = true;
        foreach (var (kind, array) in Arrays)
        {
            var index = 0;
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i].Object.Kind != kind) continue;
                if (index == 0)
                {
                    if (!firstArray) body.Append(',');
                    body.Append('"').Append(array).Append("\":[");
                    firstArray = false;
                }
                else
                {
                    body.Append(',');
                }
                body.Append(items[i].Object.Json);
                positions[(array, index++)] = i;
            }
            if (index > 0) body.Append(']');
        }
        return body.Append('}').ToString();
    }

    /// <summary><c>{"external_ids":[...]}</c> (each object of a delete batch is the JSON string of an id).</summary>
    public static string Delete(IReadOnlyList<PendingObject> items) =>
        "{\"external_ids\":[" + string.Join(',', items.Select(i => i.Object.Json).Distinct()) + "]}";

    /// <summary>The batch indexes of the objects a 201 answer lists under <c>errors</c>, with Braze's reason.</summary>
    public static IReadOnlyList<(int Index, string Reason)> RejectedObjects(IReadOnlyList<PendingObject> items, string responseBody)
    {
        if (string.IsNullOrWhiteSpace(responseBody) || !responseBody.Contains("\"errors\"", StringComparison.Ordinal)) return [];
        Track(items, out var positions);
        var rejected = new List<(int, string)>();
        try
        {
            using var document = JsonDocument.Parse(responseBody);
            if (!document.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array) return [];
            foreach (var error in errors.EnumerateArray())
            {
                var reason = error.TryGetProperty("type", out var type) ? type.GetString() ?? "rejected by Braze" : "rejected by Braze";
                if (error.TryGetProperty("input_array", out var array) && error.TryGetProperty("index", out var index) &&
                    index.TryGetInt32(out var i) && positions.TryGetValue((array.GetString() ?? "", i), out var position))
                {
                    rejected.Add((position, reason));
                }
            }
        }
        catch (JsonException)
        {
            return [];
        }
        return rejected;
    }

    /// <summary>Braze's <c>message</c>: the string <c>message</c> of a JSON object body; null when the body is not one (not Braze's answer).</summary>
    public static string? Message(string responseBody)
    {
        try
        {
            using var document = JsonDocument.Parse(responseBody);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                return message.GetString()!;
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
