using Crm.Actors.Testing;
using Crm.Host.Configuration;
using static Crm.Actors.Testing.TestConfiguration;

namespace Crm.Actors.UnitTests.Host;

/// <summary>Any key the service reads can come from the file <c>&lt;key&gt;_FILE</c> names (the container convention for secrets).</summary>
public sealed class SecretFilesTests : IDisposable
{
    private readonly TestCertificates _files = new();

    [Fact]
    public void Each_secret_can_come_from_a_file_and_none_shows_in_the_printed_configuration()
    {
        var values = Required(
            ("Braze:ApiKey_FILE", _files.Write("braze", "braze-key-from-file\n")),
            ("Management:Token_FILE", _files.Write("token", "token-from-file-0123456789\r\n")),
            ("Persistence:Provider", "PostgreSql"),
            ("Persistence:ConnectionString", "Host=db;Username=crm;Database=crm"),
            ("Persistence:Password_FILE", _files.Write("postgres", "pg password with spaces ")),
            ("Kafka:Client:sasl.password_FILE", _files.Write("sasl", "sasl-password-from-file")),
            ("Cluster:Tls:Enabled", "true"),
            ("Cluster:Tls:CertificatePath", _files.SignedPfx("crm-1")),
            ("Cluster:Tls:CertificatePassword_FILE", _files.Write("pfx", TestCertificates.Password + "\n")),
            ("Cluster:Tls:TrustedCaPath", _files.CaPath),
            ("UNRELATED_FILE", "/nonexistent/is/not/read"));
        values.Remove("Braze:ApiKey");
        var configuration = Load(values);

        Assert.Equal("braze-key-from-file", configuration.Braze.ApiKey);
        Assert.Equal("token-from-file-0123456789", configuration.Management.Token);
        Assert.Equal("pg password with spaces ", new Npgsql.NpgsqlConnectionStringBuilder(configuration.Persistence.ConnectionString).Password);
        Assert.Equal("sasl-password-from-file", configuration.Kafka.ClientProperties["sasl.password"]);
        Assert.DoesNotContain(configuration.Kafka.ClientProperties.Keys, key => key.EndsWith("_FILE", StringComparison.Ordinal));
        Assert.Equal("CN=crm-1", configuration.Cluster.Tls!.Certificate.Subject); // the PFX opened with the password from its file

        var printed = configuration.ToString();
        foreach (var secret in new[] { "braze-key-from-file", "token-from-file-0123456789", "pg password with spaces", TestCertificates.Password })
            Assert.DoesNotContain(secret, printed);
    }

    [Fact]
    public void A_key_given_both_ways_or_a_file_that_cannot_be_read_stops_the_host_naming_the_key()
    {
        var both = Assert.Throws<ConfigurationException>(() => Load(Required(("Braze:ApiKey_FILE", _files.Write("braze", "other")))));
        Assert.Equal("Braze:ApiKey", both.Key);
        Assert.Equal("Configuration error: Braze:ApiKey is set both directly and through Braze:ApiKey_FILE: set one of them", both.Message);

        var missing = Assert.Throws<ConfigurationException>(() => Load(Required(("Management:Token_FILE", "/run/secrets/absent"))));
        Assert.Equal("Management:Token_FILE", missing.Key);
        Assert.Contains("/run/secrets/absent", missing.Message);
    }

    [Fact]
    public void A_password_for_the_sqlite_journal_is_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(Required(("Persistence:Password", "secret"))));
        Assert.Equal("Persistence:Password", e.Key);
        Assert.DoesNotContain("secret", e.Message);
    }

    public void Dispose() => _files.Dispose();
}
