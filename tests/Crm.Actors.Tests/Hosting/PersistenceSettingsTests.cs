using Crm.Actors.Hosting;
using Npgsql;

namespace Crm.Actors.Tests.Hosting;

public class PersistenceSettingsTests
{
    private const string Server = "Host=db;Username=crm;Password=crm;Database=crm";

    [Fact]
    public void A_PostgreSQL_pool_is_bounded_when_the_connection_string_does_not_say()
    {
        var bounded = new NpgsqlConnectionStringBuilder(PersistenceSettings.BoundedPostgresPool(Server));

        Assert.Equal(PersistenceSettings.DefaultPostgresPoolSize, bounded.MaxPoolSize);
        Assert.Equal("db", bounded.Host);
    }

    [Theory]
    [InlineData("Maximum Pool Size=40")]
    [InlineData("MaxPoolSize=40")]
    [InlineData("max pool size=40")]
    public void The_connection_strings_pool_size_wins(string poolSize)
    {
        var given = $"{Server};{poolSize}";

        Assert.Equal(given, PersistenceSettings.BoundedPostgresPool(given));
    }
}
