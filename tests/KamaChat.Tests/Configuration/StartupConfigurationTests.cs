using System.Diagnostics;

namespace KamaChat.Tests.Configuration;

/// <summary>Starts the real server executable with bad production settings and reads what it tells the operator.</summary>
public sealed class StartupConfigurationTests
{
    [Fact]
    public async Task Production_without_a_jwt_secret_refuses_to_start_with_one_clear_line()
    {
        var (exitCode, error, _) = await StartServerAsync(new() { ["NODE_ENV"] = "production" });

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("KamaChat cannot start:", line, StringComparison.Ordinal);
        Assert.Contains("JWT_SECRET", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_with_a_short_jwt_secret_refuses_to_start()
    {
        var (exitCode, error, _) = await StartServerAsync(new() { ["NODE_ENV"] = "production", ["JWT_SECRET"] = "too-short" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("JWT_SECRET is 9 bytes", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("passwordpasswordpasswordpasswordpassword")]
    public async Task Production_refuses_a_jwt_secret_with_obviously_low_entropy(string secret)
    {
        var (exitCode, error, _) = await StartServerAsync(new() { ["NODE_ENV"] = "production", ["JWT_SECRET"] = secret });

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("JWT_SECRET", line, StringComparison.Ordinal);
        Assert.Contains("random", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1024")]
    [InlineData("-1")]
    [InlineData("node-a")]
    public async Task An_invalid_node_id_refuses_to_start(string nodeId)
    {
        var (exitCode, error, _) = await StartServerAsync(new()
        {
            ["NODE_ENV"] = "production",
            ["JWT_SECRET"] = "a-production-secret-that-is-certainly-long-enough",
            ["NODE_ID"] = nodeId,
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("NODE_ID must be a whole number from 0 to 1023", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SMTP_URL", "http://mail.example.com", "SMTP_URL must look like")]
    [InlineData("PORT_RABBITMQ", "amqp", "PORT_RABBITMQ must be a port number")]
    [InlineData("PUBLIC_URL", "chat.example.com", "PUBLIC_URL must be an absolute http or https URL")]
    [InlineData("KAMACHAT_DB_STARTUP_WAIT_SECONDS", "-1", "KAMACHAT_DB_STARTUP_WAIT_SECONDS must be a whole number of seconds, 0 or more (got '-1').")]
    [InlineData("KAMACHAT_DB_STARTUP_WAIT_SECONDS", "2m", "KAMACHAT_DB_STARTUP_WAIT_SECONDS must be a whole number of seconds, 0 or more (got '2m').")]
    [InlineData("KAMACHAT_SQLITE_BUSY_TIMEOUT_MS", "0", "KAMACHAT_SQLITE_BUSY_TIMEOUT_MS must be a whole number of milliseconds, 1 or more (got '0').")]
    [InlineData("KAMACHAT_MAX_UPLOAD_MB", "0", "KAMACHAT_MAX_UPLOAD_MB must be a whole number from 1 to 10240 (got '0').")]
    [InlineData("KAMACHAT_FFMPEG_CONCURRENCY", "two", "KAMACHAT_FFMPEG_CONCURRENCY must be from 1 to 64 (got 'two').")]
    [InlineData("KAMACHAT_JOB_CONCURRENCY", "abc", "KAMACHAT_JOB_CONCURRENCY must be a whole number from 1 to 256 (got 'abc').")]
    [InlineData("KAMACHAT_JOB_CONCURRENCY", "0", "KAMACHAT_JOB_CONCURRENCY must be a whole number from 1 to 256 (got '0').")]
    [InlineData("KAMACHAT_DIGEST_DELAY_SECONDS", "15m", "KAMACHAT_DIGEST_DELAY_SECONDS must be a whole number from 0 to 259199 (got '15m').")]
    [InlineData("KAMACHAT_DIGEST_SCAN_SECONDS", "0", "KAMACHAT_DIGEST_SCAN_SECONDS must be a whole number from 1 to 86400 (got '0').")]
    [InlineData("KAMACHAT_EVENT_POLL_MS", "fast", "KAMACHAT_EVENT_POLL_MS must be a whole number from 0 to 60000 (got 'fast').")]
    [InlineData("KAMACHAT_EVENT_RETENTION_HOURS", "24h", "KAMACHAT_EVENT_RETENTION_HOURS must be a whole number from 1 to 8760 (got '24h').")]
    [InlineData("KAMACHAT_GATEWAY_CALLS_PER_SECOND", "0", "KAMACHAT_GATEWAY_CALLS_PER_SECOND must be a whole number from 1 to 1000000 (got '0').")]
    [InlineData("KAMACHAT_GATEWAY_CALL_BURST", "-1", "KAMACHAT_GATEWAY_CALL_BURST must be a whole number from 1 to 1000000 (got '-1').")]
    [InlineData("KAMACHAT_GATEWAY_CONNECTIONS_PER_USER", "many", "KAMACHAT_GATEWAY_CONNECTIONS_PER_USER must be a whole number from 1 to 1000000 (got 'many').")]
    [InlineData("KAMACHAT_GATEWAY_OUTBOX_LIMIT", "1k", "KAMACHAT_GATEWAY_OUTBOX_LIMIT must be a whole number from 1 to 1000000 (got '1k').")]
    [InlineData("KAMACHAT_GATEWAY_SEND_TIMEOUT_SECONDS", "10s", "KAMACHAT_GATEWAY_SEND_TIMEOUT_SECONDS must be a whole number from 1 to 3600 (got '10s').")]
    [InlineData("KAMACHAT_MIGRATE", "no", "KAMACHAT_MIGRATE must be true or false (got 'no').")]
    [InlineData("KAMACHAT_API_DOCS", "off", "KAMACHAT_API_DOCS must be true or false (got 'off').")]
    [InlineData("REQUIRE_EMAIL_VERIFICATION", "yes", "REQUIRE_EMAIL_VERIFICATION must be true or false (got 'yes').")]
    [InlineData("KAMACHAT_ACCESS_TOKEN_LIFETIME", "15", "KAMACHAT_ACCESS_TOKEN_LIFETIME must be a time as hh:mm:ss or d.hh:mm:ss from 00:00:01 to 1.00:00:00 (got '15').")]
    [InlineData("KAMACHAT_ACCESS_TOKEN_LIFETIME", "15m", "KAMACHAT_ACCESS_TOKEN_LIFETIME must be a time as hh:mm:ss or d.hh:mm:ss from 00:00:01 to 1.00:00:00 (got '15m').")]
    [InlineData("KAMACHAT_ACCESS_TOKEN_LIFETIME", "00:00:00", "KAMACHAT_ACCESS_TOKEN_LIFETIME must be a time as hh:mm:ss or d.hh:mm:ss from 00:00:01 to 1.00:00:00 (got '00:00:00').")]
    [InlineData("KAMACHAT_ACCESS_TOKEN_LIFETIME", "7.00:00:00", "KAMACHAT_ACCESS_TOKEN_LIFETIME must be a time as hh:mm:ss or d.hh:mm:ss from 00:00:01 to 1.00:00:00 (got '7.00:00:00').")]
    [InlineData("KAMACHAT_REFRESH_TOKEN_LIFETIME", "30", "KAMACHAT_REFRESH_TOKEN_LIFETIME must be a time as hh:mm:ss or d.hh:mm:ss from 00:05:00 to 365.00:00:00 (got '30').")]
    [InlineData("KAMACHAT_REFRESH_TOKEN_LIFETIME", "10675199.00:00:00", "KAMACHAT_REFRESH_TOKEN_LIFETIME must be a time as hh:mm:ss or d.hh:mm:ss from 00:05:00 to 365.00:00:00 (got '10675199.00:00:00').")]
    [InlineData("KAMACHAT_REFRESH_TOKEN_LIFETIME", "00:10:00", "KAMACHAT_REFRESH_TOKEN_LIFETIME must be longer than KAMACHAT_ACCESS_TOKEN_LIFETIME.")]
    [InlineData("KAMACHAT_TOKEN_CLOCK_SKEW", "-00:00:30", "KAMACHAT_TOKEN_CLOCK_SKEW must be a time as hh:mm:ss or d.hh:mm:ss from 00:00:00 to 00:10:00 (got '-00:00:30').")]
    [InlineData("KAMACHAT_TOKEN_CLOCK_SKEW", "30s", "KAMACHAT_TOKEN_CLOCK_SKEW must be a time as hh:mm:ss or d.hh:mm:ss from 00:00:00 to 00:10:00 (got '30s').")]
    [InlineData("KAMACHAT_CACHE", "disabled", "KAMACHAT_CACHE must be on or off (got 'disabled').")]
    [InlineData("KAMACHAT_CACHE", "false", "KAMACHAT_CACHE must be on or off (got 'false').")]
    [InlineData("KAMACHAT_DB_PREPARE", "no", "KAMACHAT_DB_PREPARE must be on or off (got 'no').")]
    [InlineData("KAMACHAT_DB_PREPARE", "0", "KAMACHAT_DB_PREPARE must be on or off (got '0').")]
    [InlineData("KAMACHAT_PUSH_ALLOW_HTTP", "yes", "KAMACHAT_PUSH_ALLOW_HTTP must be true or false (got 'yes').")]
    [InlineData("KAMACHAT_JOB_RETRY_DELAYS", "5,Infinity", "KAMACHAT_JOB_RETRY_DELAYS must be seconds above 0 and at most 86400, separated by commas (got '5,Infinity').")]
    [InlineData("KAMACHAT_JOB_RETRY_DELAYS", "NaN", "KAMACHAT_JOB_RETRY_DELAYS must be seconds above 0 and at most 86400, separated by commas (got 'NaN').")]
    [InlineData("KAMACHAT_JOB_RETRY_DELAYS", "5,-30", "KAMACHAT_JOB_RETRY_DELAYS must be seconds above 0 and at most 86400, separated by commas (got '5,-30').")]
    [InlineData("KAMACHAT_JOB_RETRY_DELAYS", "1e12", "KAMACHAT_JOB_RETRY_DELAYS must be seconds above 0 and at most 86400, separated by commas (got '1e12').")]
    [InlineData("KAMACHAT_JOB_RETRY_DELAYS", "90000", "KAMACHAT_JOB_RETRY_DELAYS must be seconds above 0 and at most 86400, separated by commas (got '90000').")]
    [InlineData("KAMACHAT_JOB_RETRY_DELAYS", "0", "KAMACHAT_JOB_RETRY_DELAYS must be seconds above 0 and at most 86400, separated by commas (got '0').")]
    public async Task A_malformed_service_setting_refuses_to_start(string name, string value, string message)
    {
        var (exitCode, error, _) = await StartServerAsync(new()
        {
            ["NODE_ENV"] = "production",
            ["JWT_SECRET"] = "a-production-secret-that-is-certainly-long-enough",
            [name] = value,
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_port_that_is_not_a_port_number_refuses_to_start()
    {
        var (exitCode, error, _) = await StartServerAsync(new()
        {
            ["NODE_ENV"] = "production",
            ["JWT_SECRET"] = "a-production-secret-that-is-certainly-long-enough",
            ["DB_HOST"] = "127.0.0.1",
            ["DB_PORT"] = "postgres",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("DB_PORT must be a port number from 1 to 65535 (got 'postgres').", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kestrel__Limits__MaxConcurrentConnections", "lots")]
    [InlineData("Kestrel__Limits__MaxConcurrentUpgradedConnections", "0")]
    [InlineData("Kestrel__Limits__MaxConcurrentUpgradedConnections", "-5")]
    public async Task A_connection_limit_that_is_not_a_positive_whole_number_refuses_to_start_with_one_clear_line(string name, string value)
    {
        var (exitCode, error, output) = await StartServerAsync(new()
        {
            ["NODE_ENV"] = "production",
            ["JWT_SECRET"] = "a-production-secret-that-is-certainly-long-enough",
            [name] = value,
        });

        Assert.NotEqual(0, exitCode);
        // Nothing else before it: no "Hosting failed to start" with the stack trace on the log.
        Assert.DoesNotContain(" at ", output, StringComparison.Ordinal);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"KamaChat cannot start: {name} must be a positive whole number of connections, or empty for the limit computed " +
            $"from the open-file limit (got '{value}').", line);
    }

    [Fact]
    public async Task Several_bad_settings_are_all_named_in_the_one_line()
    {
        var (exitCode, error, output) = await StartServerAsync(new()
        {
            ["NODE_ENV"] = "production",
            ["PORT_RABBITMQ"] = "amqp",
            ["Kestrel__Limits__MaxConcurrentConnections"] = "lots",
        });

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain(" at ", output, StringComparison.Ordinal);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("KamaChat cannot start:", line, StringComparison.Ordinal);
        Assert.Contains("JWT_SECRET is not set", line, StringComparison.Ordinal);
        Assert.Contains("PORT_RABBITMQ must be a port number (got 'amqp')", line, StringComparison.Ordinal);
        Assert.Contains("Kestrel__Limits__MaxConcurrentConnections must be a positive whole number", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_on_a_read_only_data_directory_exits_with_one_clear_line()
    {
        var (exitCode, error, _) = await StartServerAsync(new(), prepareDataDirectory: async data =>
        {
            Directory.CreateDirectory(data);
            await Infrastructure.FileSystemFaults.FreezeAsync(data);
        });

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("KamaChat cannot start:", line, StringComparison.Ordinal);
        Assert.Contains("data directory", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_another_process_keeps_locked_past_the_wait_stops_start_up_with_one_line_naming_the_lock()
    {
        Microsoft.Data.Sqlite.SqliteConnection? holder = null;
        try
        {
            var (exitCode, error, output) = await StartServerAsync(new()
            {
                ["KAMACHAT_SQLITE_BUSY_TIMEOUT_MS"] = "100",
                ["KAMACHAT_DB_STARTUP_WAIT_SECONDS"] = "2",
            }, prepareDataDirectory: async data =>
            {
                Directory.CreateDirectory(data);
                holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(data, "kamachat.db")}");
                await holder.OpenAsync();
                // The write lock, held by this process (a backup, a second node) for longer than the server waits.
                await using var command = holder.CreateCommand();
                command.CommandText = "BEGIN IMMEDIATE; CREATE TABLE held (x INTEGER);";
                await command.ExecuteNonQueryAsync();
            });

            Assert.NotEqual(0, exitCode);
            Assert.Contains("Applying migrations: the database is locked by another process or connection", output, StringComparison.Ordinal);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("KamaChat cannot start: Applying migrations: the database stayed locked by another process or connection", line, StringComparison.Ordinal);
            Assert.Contains("KAMACHAT_DB_STARTUP_WAIT_SECONDS", line, StringComparison.Ordinal);
        }
        finally
        {
            if (holder is not null)
                await holder.DisposeAsync();
        }
    }

    private static async Task<(int ExitCode, string Error, string Output)> StartServerAsync(
        Dictionary<string, string> environment, Func<string, Task>? prepareDataDirectory = null)
    {
        var directory = Directory.CreateTempSubdirectory("kamachat-startup-").FullName;
        var data = Path.Combine(directory, "data");
        try
        {
            if (prepareDataDirectory is not null)
                await prepareDataDirectory(data);
            var start = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"")
            {
                WorkingDirectory = directory,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var name in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "JWT_SECRET", "NODE_ID", "DATABASE_URL", "DB_HOST", "URLS", "ASPNETCORE_URLS",
                         "SMTP_URL", "PUBLIC_URL", "HOST_RABBITMQ", "PORT_RABBITMQ" })
                start.Environment.Remove(name);
            start.Environment["KAMACHAT_DATA_DIR"] = data;
            // Bind nowhere useful: the server must fail before it listens.
            start.Environment["HOST"] = "127.0.0.1";
            start.Environment["PORT"] = "0";
            foreach (var (name, value) in environment)
                start.Environment[name] = value;

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("The server started instead of refusing the configuration.");
            }
            return (process.ExitCode, (await error).Trim(), await output);
        }
        finally
        {
            if (prepareDataDirectory is not null && Directory.Exists(data))
                await Infrastructure.FileSystemFaults.ThawAsync(data);
            Directory.Delete(directory, recursive: true);
        }
    }
}
