using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Crm.Actors.Tests.Support;

namespace Crm.Actors.Tests.Operating;

/// <summary>
/// A real Prometheus server (Debian's package: <c>prometheus</c> on the PATH, as <c>./test.sh</c> installs it) on a free
/// loopback port, with its configuration, rules and storage in a temporary folder that goes with it. Answers through
/// Prometheus's HTTP API (<c>/api/v1/...</c>).
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string folder, Uri address)
    {
        _process = process;
        Folder = folder;
        Address = address;
        _http = new HttpClient { BaseAddress = address };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    /// <summary>The server's temporary folder: configuration, rules, the credentials file, storage.</summary>
    public string Folder { get; }

    /// <summary>Everything the server logged so far, for failure messages.</summary>
    public string Log => string.Join('\n', _output);

    /// <summary>
    /// Writes <paramref name="files"/> (name → content; <c>prometheus.yml</c> among them) to a new temporary folder and
    /// starts Prometheus on it; returns once <c>/-/ready</c> answers 200.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, string> files)
    {
        var folder = Directory.CreateTempSubdirectory("crm-prometheus-").FullName;
        foreach (var (name, content) in files) await File.WriteAllTextAsync(Path.Combine(folder, name), content);
        var address = new Uri($"http://127.0.0.1:{Eventually.FreePort()}/");
        var start = new ProcessStartInfo("prometheus")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in (string[])[
                     $"--config.file={Path.Combine(folder, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
                     $"--web.listen-address={address.Authority}"])
            start.ArgumentList.Add(argument);
        var server = new PrometheusServer(Process.Start(start) ?? throw new InvalidOperationException("could not start prometheus"), folder, address);
        try
        {
            await Eventually.Holds(server.IsReady, StartPatience, () => server.Log);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>An instant query's result (the <c>data.result</c> array); a query Prometheus refuses throws with its error.</summary>
    public async Task<JsonElement[]> QueryAsync(string promql) =>
        (await GetDataAsync("api/v1/query?query=" + Uri.EscapeDataString(promql))).GetProperty("result").EnumerateArray().ToArray();

    /// <summary>Active alerts (pending and firing), as <c>/api/v1/alerts</c> lists them.</summary>
    public async Task<IReadOnlyList<(string Name, string State, JsonElement Alert)>> AlertsAsync() =>
        (await GetDataAsync("api/v1/alerts")).GetProperty("alerts").EnumerateArray()
        .Select(a => (a.GetProperty("labels").GetProperty("alertname").GetString()!, a.GetProperty("state").GetString()!, a))
        .ToList();

    /// <summary>The values a label takes on the series matching <paramref name="match"/>.</summary>
    public async Task<string[]> LabelValuesAsync(string label, string match) =>
        (await GetDataAsync($"api/v1/label/{Uri.EscapeDataString(label)}/values?match[]={Uri.EscapeDataString(match)}"))
        .EnumerateArray().Select(v => v.GetString()!).ToArray();

    private async Task<JsonElement> GetDataAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"Prometheus refused {path}: {root.GetProperty("errorType").GetString()}: {root.GetProperty("error").GetString()}");
        return root.GetProperty("data").Clone();
    }

    private bool IsReady()
    {
        if (_process.HasExited) throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}: {Log}");
        try
        {
            using var response = _http.GetAsync("-/ready").GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
