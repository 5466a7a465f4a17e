using Crm.Actors.Testing;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Crm.Actors.Tests.Support;
using Npgsql;

namespace Crm.Actors.Tests.Host;

/// <summary>
/// The service as its own process, configured like a container: its secrets (the Braze key, the management token,
/// the PostgreSQL password, the certificate password) come from files through <c>_FILE</c> variables, take effect,
/// and none of them shows in anything it writes, even at Debug level.
/// </summary>
[Collection(Serial.Name)]
public sealed class SecretFilesProcessTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Secrets_from_files_take_effect_and_never_reach_the_log()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        await using var database = await PostgresTestDatabase.CreateAsync();
        using var files = new TestCertificates();
        var secrets = new Dictionary<string, string>
        {
            ["Braze:ApiKey"] = PipelineDeployment.ApiKey,
            ["Management:Token"] = "mgmt-token-" + Guid.NewGuid().ToString("N"),
            ["Persistence:Password"] = "pg-password-" + Guid.NewGuid().ToString("N"),
            ["Cluster:Tls:CertificatePassword"] = TestCertificates.Password,
        };
        var settings = new Dictionary<string, string?>(deployment.Settings)
        {
            ["Logging:Level"] = "Debug",
            ["Management:Port"] = Eventually.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Persistence:Provider"] = "PostgreSql",
            // Connects as a role that only the password from the file lets in (the server checks passwords on 127.0.0.1).
            ["Persistence:ConnectionString"] = await database.OwnedByNewRoleAsync(secrets["Persistence:Password"]),
            ["Cluster:Tls:Enabled"] = "true",
            ["Cluster:Tls:CertificatePath"] = files.SignedPfx("crm-1"),
            ["Cluster:Tls:TrustedCaPath"] = files.CaPath,
        };
        settings.Remove("Braze:ApiKey");
        foreach (var (key, secret) in secrets) settings[key + "_FILE"] = files.Write(key.Replace(':', '-'), secret + "\n");
        var produced = deployment.ProduceCustomers(5, seed: 71);

        await using var service = CrmProcess.Start(settings);
        var management = new Uri($"http://127.0.0.1:{settings["Management:Port"]}/");

        // Braze accepts only its key, and customers' trips are in the journal: both secrets worked.
        await Eventually.Holds(() => deployment.Count(produced).Lost == 0, Patience, () => service.Output);
        Assert.True(await JournalRows(database) > 0, "nothing reached the PostgreSQL journal");
        // The endpoint demands the token from the file, and the node talks TLS with the certificate the password opened.
        using var http = new HttpClient { BaseAddress = management };
        using (var anonymous = await http.GetAsync("api/cluster"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/cluster") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", secrets["Management:Token"]) } };
        using var cluster = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, cluster.StatusCode);
        Assert.Contains("akka.ssl.tcp://crm@127.0.0.1:", await cluster.Content.ReadAsStringAsync());

        service.Terminate();
        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(60)), "did not exit within 60 s of SIGTERM");
        Assert.Contains(" DBG] ", service.Output); // Debug lines were written (Akka's too), and are checked below
        foreach (var (key, secret) in secrets)
            Assert.False(service.Output.Contains(secret, StringComparison.Ordinal), $"{key} is in the log");
    }

    [Fact]
    public async Task A_certificate_password_that_does_not_open_the_PFX_stops_the_process_with_exit_code_2_and_one_line()
    {
        using var files = new TestCertificates();
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["Braze:RestEndpoint"] = "http://127.0.0.1:1/",
            ["Braze:ApiKey"] = "key",
            ["Cluster:Tls:Enabled"] = "true",
            ["Cluster:Tls:CertificatePath"] = files.SignedPfx("crm-1"),
            ["Cluster:Tls:CertificatePassword_FILE"] = files.Write("pfx-password", "a-wrong-password\n"),
            ["Cluster:Tls:TrustedCaPath"] = files.CaPath,
        };

        await using var service = CrmProcess.Start(settings);

        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(60)), "still running with a wrong certificate password");
        Assert.Equal(2, service.ExitCode);
        var line = Assert.Single(service.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Configuration error: Cluster:Tls:CertificatePath (", line);
        Assert.Contains("cannot be opened as a PFX file with the given password (Cluster:Tls:CertificatePassword)", line);
        Assert.DoesNotContain("a-wrong-password", line);
    }

    private static async Task<long> JournalRows(PostgresTestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM journal", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
