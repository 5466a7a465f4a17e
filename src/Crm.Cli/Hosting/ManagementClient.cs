using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Management;

namespace Crm.Cli.Hosting;

/// <summary>HTTP/JSON calls to one node's management endpoint; every failure becomes a <see cref="CliException"/>.</summary>
public sealed class ManagementClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly HttpClient _http;

    public ManagementClient(Uri baseAddress, string? token, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseAddress;
        _http.Timeout = Timeout;
        if (!string.IsNullOrEmpty(token)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<T> PostAsync<T>(string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) }, cancellationToken);

    public Task<T> PutAsync<T>(string path, object body, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body, options: Json) }, cancellationToken);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var _ = request;
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot reach the node's management endpoint at {BaseAddress}: {e.InnerException?.Message ?? e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable, $"the node's management endpoint at {BaseAddress} did not answer within {Timeout.TotalSeconds:0} s");
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                throw new CliException(ExitCodes.Unauthorized, $"unauthorised: {BaseAddress} wants its management token (--token or CRM_TOKEN)");
            if (!response.IsSuccessStatusCode)
                throw new CliException(ExitCodes.Failed, $"{(int)response.StatusCode} {response.ReasonPhrase}: {await ErrorOf(response, cancellationToken).ConfigureAwait(false)}");
            try
            {
                return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
                       ?? throw new CliException(ExitCodes.Failed, $"{request.RequestUri} answered nothing");
            }
            catch (JsonException e)
            {
                throw new CliException(ExitCodes.Failed, $"{request.RequestUri} answered something else than a Crm.Actors node would: {e.Message}");
            }
        }
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<ErrorView>(text, Json)?.Error ?? text;
        }
        catch (JsonException)
        {
            return string.IsNullOrWhiteSpace(text) ? "(no details)" : text;
        }
    }

    public void Dispose() => _http.Dispose();
}
