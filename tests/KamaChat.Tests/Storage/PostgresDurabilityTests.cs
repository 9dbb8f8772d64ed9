using KamaChat.Tests.Infrastructure;
using Npgsql;

namespace KamaChat.Tests.Storage;

/// <summary>
/// The throwaway PostgreSQL's durability as asked: the tests' durable server waits for the OS only (fast; a killed server
/// loses nothing the OS took), and one flushing to disk runs as production does, for benches whose write figures must
/// be a production server's.
/// </summary>
public sealed class PostgresDurabilityTests
{
    [Theory]
    [InlineData(false, "on", "off", "off")]
    [InlineData(true, "on", "on", "on")]
    public async Task A_durable_server_flushes_its_commits_to_disk_only_when_asked_to(bool flushesToDisk, string synchronousCommit, string fsync, string fullPageWrites)
    {
        var postgres = await PostgresServer.StartOwnAsync(durableCommits: !flushesToDisk, flushesToDisk: flushesToDisk);
        try
        {
            await using var connection = new NpgsqlConnection(postgres.AdminConnectionString);
            await connection.OpenAsync();
            Assert.Equal([synchronousCommit, fsync, fullPageWrites],
                [await SettingAsync(connection, "synchronous_commit"), await SettingAsync(connection, "fsync"), await SettingAsync(connection, "full_page_writes")]);
        }
        finally
        {
            await postgres.StopAsync();
        }
    }

    private static async Task<string> SettingAsync(NpgsqlConnection connection, string name)
    {
        await using var command = new NpgsqlCommand("SELECT current_setting($1)", connection) { Parameters = { new() { Value = name } } };
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
