using System.Globalization;
using System.Text.Json;
using Crm.Actors.Tests.Support;
using Crm.Cli;
using Crm.Cli.Hosting;

namespace Crm.Actors.Tests.Operating;

/// <summary>One call of <c>crm-cmd</c>'s command layer, in-process against a real management endpoint.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <c>crm-cmd --host … --port … args</c> against <paramref name="endpoint"/>; the environment is ignored.</summary>
    public static async Task<CliRun> Against(Uri endpoint, params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        string[] all = ["--host", endpoint.Host, "--port", endpoint.Port.ToString(CultureInfo.InvariantCulture), .. args];
        var exit = await CrmCli.RunAsync(all, output, error, input: null, environment: _ => null);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>The output of a <c>--json</c> run, read back as the API's type.</summary>
    public T Json<T>() => JsonSerializer.Deserialize<T>(Output, ManagementClient.Json)!;

    /// <summary>Output lines split into their whitespace-separated cells.</summary>
    public IReadOnlyList<string[]> Rows => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}

public static class ManagementEndpointOf
{
    /// <summary>Where a test host's management endpoint listens (its port is chosen at start); a wildcard bind is reached on loopback.</summary>
    public static Uri ManagementUri(this CrmTestHost host)
    {
        var bound = new Uri(host.App.Urls.First());
        return new UriBuilder(bound) { Host = bound.Host is "0.0.0.0" or "[::]" ? "127.0.0.1" : bound.Host }.Uri;
    }
}
