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
/// A local server that behaves like Braze's REST API: <c>/users/track</c> and <c>/users/delete</c> with bearer
/// authentication, the 75-object limit, a request rate limit with <c>X-RateLimit-*</c> headers and 429 past it.
/// It records what it accepted. <see cref="Override"/> lets a test script 5xx, hangs, partial errors or 401.
/// </summary>
public sealed class LocalBraze : LocalHttpServer
{
    private readonly object _windowLock = new();
    private long _windowStart;
    private int _windowCount;

    public LocalBraze(string apiKey, int requestsPerWindow = 3000, TimeSpan? window = null)
    {
        ApiKey = apiKey;
        RequestsPerWindow = requestsPerWindow;
        Window = window ?? TimeSpan.FromSeconds(3);
    }

    public string ApiKey { get; set; }
    public int RequestsPerWindow { get; set; }
    public TimeSpan Window { get; }

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

    public Task StartAsync(int port = 0) => StartAsync(port, app =>
    {
        app.MapPost("/users/track", context => Handle(context, "/users/track"));
        app.MapPost("/users/delete", context => Handle(context, "/users/delete"));
    });

    private async Task Handle(HttpContext context, string path)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync().ConfigureAwait(false);
        var request = new BrazeRequest(path, context.Request.Headers.Authorization.ToString(), body, DateTimeOffset.UtcNow);
        var (status, reply) = Answer(request, context.Response.Headers);
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
        if (!TakeRateLimitSlot(headers, out var window))
        {
            window.Refused();
            return (429, new BrazeReply(429, """{"message":"Rate limit exceeded"}"""));
        }
        JsonElement json;
        try
        {
            json = request.Json;
        }
        catch (JsonException)
        {
            return (400, new BrazeReply(400, """{"message":"Invalid JSON"}"""));
        }
        if (request.Path == "/users/delete")
        {
            window.Accepted(json.TryGetProperty("external_ids", out var ids) && ids.ValueKind == JsonValueKind.Array ? ids.GetArrayLength() : 0);
            return (201, new BrazeReply(201, """{"deleted":1,"message":"success"}"""));
        }
        var count = new[] { "attributes", "events", "purchases" }
            .Sum(array => json.TryGetProperty(array, out var items) ? items.GetArrayLength() : 0);
        if (count > 75)
            return (400, new BrazeReply(400, $$"""{"message":"Too many objects: {{count}} over 75"}"""));
        window.Accepted(count);
        return (201, new BrazeReply(201, """{"message":"success"}"""));
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
            headers["X-RateLimit-Limit"] = RequestsPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["X-RateLimit-Remaining"] = Math.Max(0, RequestsPerWindow - _windowCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["X-RateLimit-Reset"] = ((start + windowMs + 999) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
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
