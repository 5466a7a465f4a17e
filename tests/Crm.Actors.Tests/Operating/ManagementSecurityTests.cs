using System.Net;
using System.Net.Http.Headers;
using Crm.Actors.Tests.Support;
using Crm.Host.Configuration;
using Crm.Host.Management;
using Microsoft.Extensions.Configuration;

namespace Crm.Actors.Tests.Operating;

/// <summary>Off loopback the management endpoint demands its token; without one configured the node does not start.</summary>
[Collection(Serial.Name)]
public sealed class ManagementSecurityTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private const string Token = "mgmt-token-7c1e55d0a9b34f2e";

    [Fact]
    public async Task Calls_without_the_token_are_refused_and_calls_with_it_answered()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        deployment.Settings["Management:Hostname"] = "0.0.0.0";
        deployment.Settings["Management:Token"] = Token;
        await using var node = await deployment.StartHostAsync();
        var endpoint = node.ManagementUri();
        using var http = new HttpClient { BaseAddress = endpoint };

        foreach (var path in new[] { "api/cluster", "api/pipeline", "metrics" })
        {
            using var anonymous = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("a valid management token is required", await anonymous.Content.ReadAsStringAsync());
            using var wrong = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token + "x") } });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            using var right = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } });
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }
        using var probe = await http.GetAsync("healthz"); // probes stay open: orchestrators carry no token
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);

        var refused = await CliRun.Against(endpoint, "cluster", "show");
        Assert.Equal(4, refused.ExitCode);
        Assert.Equal($"crm-cmd: unauthorised: {endpoint} wants its management token (--token or CRM_TOKEN)", refused.Error.Trim());
        var allowed = await CliRun.Against(endpoint, "--token", Token, "cluster", "show");
        Assert.Equal(0, allowed.ExitCode);
        Assert.Contains($"Self:   {TwoNodeCluster.AddressOf(node)}", allowed.Output);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("crm-1.internal")]
    public void A_non_loopback_endpoint_without_a_token_is_a_configuration_error(string hostname)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(("Management:Hostname", hostname)));
        Assert.Equal("Management:Token", e.Key);
        Assert.Equal($"Configuration error: Management:Token is required when Management:Hostname ({hostname}) is not a loopback address", e.Message);
    }

    [Fact]
    public void A_short_token_is_refused_and_a_token_never_shows_in_the_settings_text()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(("Management:Token", "short")));
        Assert.Equal("Management:Token", e.Key);
        Assert.DoesNotContain("short", e.Message.Replace("shorter", ""));

        var configuration = Load(("Management:Hostname", "0.0.0.0"), ("Management:Token", Token));
        Assert.Equal(new ManagementSettings("0.0.0.0", 9110, Token), configuration.Management);
        Assert.DoesNotContain(Token, configuration.ToString());
        Assert.Equal("127.0.0.1", Load().Management.Hostname);
        Assert.Null(Load().Management.Token);
    }

    private static CrmConfiguration Load(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "broker:9092",
            ["Braze:RestEndpoint"] = "https://rest.iad-01.braze.com",
            ["Braze:ApiKey"] = "key",
        };
        foreach (var (key, value) in settings) values[key] = value;
        return CrmConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }
}
