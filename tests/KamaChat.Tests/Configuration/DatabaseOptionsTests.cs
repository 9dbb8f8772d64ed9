using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace KamaChat.Tests.Configuration;

public sealed class DatabaseOptionsTests
{
    [Fact]
    public void A_postgres_url_becomes_an_npgsql_connection_string()
    {
        var (provider, connection) = DatabaseOptions.FromUrl("postgres://kama:p%40ss@db.internal:6543/chat?sslmode=require");

        Assert.Equal(DatabaseProvider.Postgres, provider);
        var parsed = new NpgsqlConnectionStringBuilder(connection);
        Assert.Equal("db.internal", parsed.Host);
        Assert.Equal(6543, parsed.Port);
        Assert.Equal("chat", parsed.Database);
        Assert.Equal("kama", parsed.Username);
        Assert.Equal("p@ss", parsed.Password);
        Assert.Equal(SslMode.Require, parsed.SslMode);
    }

    [Fact]
    public void A_postgres_url_without_a_port_uses_5432()
    {
        var (_, connection) = DatabaseOptions.FromUrl("postgresql://u@localhost/kamachat");

        Assert.Equal(5432, new NpgsqlConnectionStringBuilder(connection).Port);
    }

    [Fact]
    public void Sqlite_urls_and_key_value_strings_are_understood()
    {
        Assert.Equal(DatabaseProvider.Sqlite, DatabaseOptions.FromUrl("sqlite:///var/lib/kamachat/kamachat.db").Item1);
        Assert.Contains("/var/lib/kamachat/kamachat.db", DatabaseOptions.FromUrl("sqlite:///var/lib/kamachat/kamachat.db").Item2, StringComparison.Ordinal);
        Assert.Equal(DatabaseProvider.Postgres, DatabaseOptions.FromUrl("Host=db;Database=kamachat;Username=k").Item1);
    }

    [Fact]
    public void Db_variables_build_a_postgres_connection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DB_HOST"] = "pg", ["DB_PORT"] = "5433", ["DB_NAME"] = "kc", ["DB_USER"] = "kc_user", ["DB_PASSWORD"] = "secret",
        }).Build();
        var options = new DatabaseOptions();

        DatabaseOptions.Bind(options, configuration, new ServerOptions());

        Assert.Equal(DatabaseProvider.Postgres, options.Provider);
        var parsed = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        Assert.Equal(("pg", 5433, "kc", "kc_user", "secret"), (parsed.Host, parsed.Port, parsed.Database, parsed.Username, parsed.Password));
    }

    [Fact]
    public void Nothing_configured_means_sqlite_in_the_data_directory()
    {
        var options = new DatabaseOptions();

        DatabaseOptions.Bind(options, new ConfigurationBuilder().Build(), new ServerOptions { DataDirectory = "some-data" });

        Assert.Equal(DatabaseProvider.Sqlite, options.Provider);
        Assert.Contains(Path.Combine("some-data", "kamachat.db"), options.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("on", true)]
    [InlineData("off", false)]
    [InlineData("OFF", false)]
    public void KAMACHAT_DB_PREPARE_turns_prepared_statements_off(string? value, bool prepared)
    {
        var options = new DatabaseOptions();

        DatabaseOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["KAMACHAT_DB_PREPARE"] = value }).Build(),
            new ServerOptions());

        Assert.Null(options.Error);
        Assert.Equal(prepared, options.PrepareStatements);
    }
}
