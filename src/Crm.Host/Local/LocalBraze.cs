using System.Collections.Concurrent;
using System.Text.Json;

namespace Crm.Host.Local;

/// <summary>One request the local Braze received.</summary>
public sealed record BrazeRequest(string Path, string Authorization, string Body, DateTimeOffset At)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>An answer a test or the demo wants instead of the normal one.</summary>
public sealed record BrazeReply(int Status, string Body, TimeSpan Delay = default, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static BrazeReply Hang(TimeSpan delay) => new(201, """{"message":"success"}""", delay);
}

/// <summary>
/// A local server that behaves like Braze's REST API: <c>/users/track</c> and <c>/users/delete</c> (under
/// <see cref="PathPrefix"/>) with bearer authentication, the 75-object and 50-id limits, 413 for a body over
/// <see cref="MaxBodyBytes"/> (Braze: 4 MB), 400 for a body that is not UTF-8 JSON, 404 for any other path, 405 for
/// another method, and a request rate limit per endpoint with <c>X-RateLimit-*</c> headers and 429 past it.
/// It records what it accepted. <see cref="Override"/> lets a test script 5xx, hangs, partial errors or 401.
/// </summary>
public sealed class LocalBraze : LocalHttpServer
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly object _windowLock = new();
    private long _windowStart;
    private int _windowCount;
    private long _deleteWindowStart;
    private int _deleteWindowCount;

    public LocalBraze(string apiKey, int requestsPerWindow = 3000, TimeSpan? window = null)
    {
        ApiKey = apiKey;
        RequestsPerWindow = requestsPerWindow;
        Window = window ?? TimeSpan.FromSeconds(3);
    }

    public string ApiKey { get; set; }
    public int RequestsPerWindow { get; set; }
    public TimeSpan Window { get; }

    /// <summary>/users/delete's own limit per minute, apart from /users/track's (Braze's default: 20,000).</summary>
    public int DeleteRequestsPerMinute { get; set; } = Crm.Actors.Braze.BrazeLimits.DeleteRequestsPerMinute;

    /// <summary>Bodies larger than this are answered 413, as Braze does past 4 MB.</summary>
    public int MaxBodyBytes { get; set; } = Crm.Actors.Braze.BrazeLimits.MaxRequestBytes;

    /// <summary>Where the API is served, e.g. <c>/eu</c>; any other path is answered 404. Empty: at the root.</summary>
    public string PathPrefix { get; set; } = "";

    /// <summary>Returns a reply to send instead of the normal answer, or null for normal behaviour.</summary>
    public Func<BrazeRequest, BrazeReply?>? Override { get; set; }

    /// <summary>Requests answered 2xx, in arrival order.</summary>
    public ConcurrentQueue<BrazeRequest> Accepted { get; } = new();

    /// <summary>
    /// When each request's answer was written (a request absent here is unanswered: hanging, or its client gone). What a
    /// crash test needs to tell what was in flight at a kill.
    /// </summary>
    public ConcurrentDictionary<BrazeRequest, DateTimeOffset> AnsweredAt { get; } = new();

    /// <summary>Every request, whatever the answer.</summary>
    public ConcurrentQueue<(BrazeRequest Request, int Status)> Log { get; } = new();

    public int TooManyRequests => Log.Count(l => l.Status == 429);

    /// <summary>
    /// False: requests are only counted (<see cref="Windows"/>), not kept in <see cref="Accepted"/> and
    /// <see cref="Log"/>, so a long run at the rate limit does not hold every body in memory.
    /// </summary>
    public bool KeepRequests { get; set; } = true;

    /// <summary>Per rate-limit window (keyed by its start, Unix ms): what was accepted and refused with 429.</summary>
    public ConcurrentDictionary<long, RateWindow> Windows { get; } = new();

    /// <summary>Every track object accepted, with its array name, in arrival order.</summary>
    public IReadOnlyList<(string Array, JsonElement Object)> AcceptedObjects() =>
        Accepted.Where(r => r.Path == "/users/track")
            .SelectMany(r => new[] { "attributes", "events", "purchases" }
                .SelectMany(array => r.Json.TryGetProperty(array, out var items) ? items.EnumerateArray().Select(o => (array, o)) : []))
            .ToList();

    public IReadOnlyList<string> DeletedExternalIds() =>
        Accepted.Where(r => r.Path == "/users/delete")
            .SelectMany(r => r.Json.GetProperty("external_ids").EnumerateArray().Select(e => e.GetString()!))
            .ToList();

    public static async Task<LocalBraze> StartAsync(string apiKey, int requestsPerWindow = 3000, TimeSpan? window = null, int port = 0)
    {
        var braze = new LocalBraze(apiKey, requestsPerWindow, window);
        await braze.StartAsync(port).ConfigureAwait(false);
        return braze;
    }

    /// <summary>Every request is answered here: the API's two paths under <see cref="PathPrefix"/>, anything else 404 or 405.</summary>
    public Task StartAsync(int port = 0) => StartAsync(port, app => app.Run(Handle));

    private async Task Handle(HttpContext context)
    {
        var fullPath = context.Request.Path.Value ?? "";
        var path = fullPath.StartsWith(PathPrefix + "/", StringComparison.Ordinal) ? fullPath[PathPrefix.Length..] : fullPath;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        string? body;
        try
        {
            body = StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            body = null;
        }
        var request = new BrazeRequest(path, context.Request.Headers.Authorization.ToString(), body ?? Convert.ToBase64String(bytes), DateTimeOffset.UtcNow);
        var (status, reply) = fullPath != PathPrefix + path || path is not ("/users/track" or "/users/delete")
            ? (404, new BrazeReply(404, """{"message":"Not Found"}"""))
            : context.Request.Method != HttpMethods.Post
                ? (405, new BrazeReply(405, """{"message":"Method Not Allowed"}"""))
                : bytes.Length > MaxBodyBytes
                    ? (413, new BrazeReply(413, """{"message":"Request Entity Too Large"}"""))
                    : body is null
                        ? (400, new BrazeReply(400, """{"message":"Invalid UTF-8 in the request body"}"""))
                        : Answer(request, context.Response.Headers);
        if (KeepRequests) Log.Enqueue((request, status));
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up: it never learns whether this was accepted, like a real timeout
            }
        }
        if (status is >= 200 and < 300 && KeepRequests) Accepted.Enqueue(request);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            context.Response.Headers[name] = value;
        await context.Response.WriteAsync(reply.Body).ConfigureAwait(false);
        if (KeepRequests) AnsweredAt[request] = DateTimeOffset.UtcNow;
    }

    private (int Status, BrazeReply Reply) Answer(BrazeRequest request, IHeaderDictionary headers)
    {
        if (Override?.Invoke(request) is { } scripted) return (scripted.Status, scripted);
        if (request.Authorization != "Bearer " + ApiKey)
            return (401, new BrazeReply(401, """{"message":"Invalid API key"}"""));
        if (request.Path == "/users/delete")
        {
            if (!TakeDeleteSlot(headers))
                return (429, new BrazeReply(429, """{"message":"Rate limit exceeded"}"""));
            if (!TryParse(request, out var deleteJson))
                return (400, new BrazeReply(400, """{"message":"Invalid JSON"}"""));
            var ids = deleteJson.TryGetProperty("external_ids", out var array) && array.ValueKind == JsonValueKind.Array ? array.GetArrayLength() : 0;
            return ids > Crm.Actors.Braze.BrazeLimits.MaxDeleteIds
                ? (400, new BrazeReply(400, $$"""{"message":"Too many external_ids: {{ids}} over 50"}"""))
                : (201, new BrazeReply(201, $$"""{"deleted":{{ids}},"message":"success"}"""));
        }
        if (!TakeRateLimitSlot(headers, out var window))
        {
            window.Refused();
            return (429, new BrazeReply(429, """{"message":"Rate limit exceeded"}"""));
        }
        if (!TryParse(request, out var json))
            return (400, new BrazeReply(400, """{"message":"Invalid JSON"}"""));
        var count = new[] { "attributes", "events", "purchases" }
            .Sum(array => json.TryGetProperty(array, out var items) ? items.GetArrayLength() : 0);
        if (count > 75)
            return (400, new BrazeReply(400, $$"""{"message":"Too many objects: {{count}} over 75"}"""));
        window.Accepted(count);
        return (201, new BrazeReply(201, """{"message":"success"}"""));
    }

    /// <summary>
    /// Parses the body. A string escaping a lone surrogate (<c>"\ud83d"</c>) is valid JSON syntax but not valid Unicode:
    /// reading every string refuses it, as a strict server would.
    /// </summary>
    private static bool TryParse(BrazeRequest request, out JsonElement json)
    {
        try
        {
            json = request.Json;
            ReadStrings(json);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            json = default;
            return false;
        }
    }

    private static void ReadStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) ReadStrings(item);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) ReadStrings(property.Value);
                break;
        }
    }

    /// <summary>/users/delete's separate limit: fixed one-minute windows.</summary>
    private bool TakeDeleteSlot(IHeaderDictionary headers)
    {
        lock (_windowLock)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var start = now - now % 60_000;
            if (start != _deleteWindowStart)
            {
                _deleteWindowStart = start;
                _deleteWindowCount = 0;
            }
            var allowed = _deleteWindowCount < DeleteRequestsPerMinute;
            if (allowed) _deleteWindowCount++;
            SetRateLimitHeaders(headers, DeleteRequestsPerMinute, DeleteRequestsPerMinute - _deleteWindowCount, start + 60_000);
            return allowed;
        }
    }

    private static void SetRateLimitHeaders(IHeaderDictionary headers, int limit, int remaining, long resetMs)
    {
        headers["X-RateLimit-Limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = Math.Max(0, remaining).ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = ((resetMs + 999) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Fixed windows, as Braze describes its limit; sets the X-RateLimit-* headers on every answer.</summary>
    private bool TakeRateLimitSlot(IHeaderDictionary headers, out RateWindow window)
    {
        lock (_windowLock)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var windowMs = (long)Window.TotalMilliseconds;
            var start = now - now % windowMs;
            if (start != _windowStart)
            {
                _windowStart = start;
                _windowCount = 0;
            }
            window = Windows.GetOrAdd(start, _ => new RateWindow());
            var allowed = _windowCount < RequestsPerWindow;
            if (allowed) _windowCount++;
            SetRateLimitHeaders(headers, RequestsPerWindow, RequestsPerWindow - _windowCount, start + windowMs);
            return allowed;
        }
    }
}

/// <summary>Counts of one fixed rate-limit window of <see cref="LocalBraze"/>, updated from request threads.</summary>
public sealed class RateWindow
{
    private long _requests;
    private long _objects;
    private long _tooManyRequests;

    public long Requests => Interlocked.Read(ref _requests);
    public long Objects => Interlocked.Read(ref _objects);
    public long TooManyRequests => Interlocked.Read(ref _tooManyRequests);

    internal void Accepted(int objects)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _objects, objects);
    }

    internal void Refused() => Interlocked.Increment(ref _tooManyRequests);
}
