using System.Net;
using System.Net.Http.Json;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace KamaChat.Tests.Account;

/// <summary>Data Protection keys live in the database: a link one node mails is accepted by another (or after a restart).</summary>
public abstract class DataProtectionKeyTests
{
    protected abstract Task<(string Provider, string DatabaseUrl)> SharedDatabaseAsync();

    [Fact]
    public async Task A_verification_link_issued_by_one_node_is_accepted_by_another()
    {
        var (provider, url) = await SharedDatabaseAsync();
        await using var first = new NodeApp(provider, url);
        await first.InitializeAsync();
        var name = Api.UniqueName();
        await first.CreateClient().RegisterAsync(name);
        var message = await WaitForEmlAsync(first.MailDirectory, $"{name}@example.test");

        await using var second = new NodeApp(provider, url);
        await second.InitializeAsync();
        var (_, query) = Mail.LinkTo(message, "verify-email");
        var verify = await second.CreateClient().PostAsJsonAsync("/api/v1/auth/verify-email", new { userId = query["userId"], token = query["token"] });

        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        Assert.Equal(1, await second.QueryAsync(db => db.DataProtectionKeys.CountAsync()));
    }

    private static async Task<MimeMessage> WaitForEmlAsync(string directory, string to)
    {
        for (var i = 0; i < 100; i++)
        {
            var message = Directory.Exists(directory)
                ? Directory.GetFiles(directory, "*.eml").Select(f => MimeMessage.Load(f)).FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == to))
                : null;
            if (message is not null)
                return message;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No mail to {to} in {directory}.");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteDataProtectionKeyTests : DataProtectionKeyTests
{
    protected override Task<(string, string)> SharedDatabaseAsync() =>
        Task.FromResult(("sqlite", "sqlite://" + Path.Combine(Directory.CreateTempSubdirectory("kamachat-shared-").FullName, "kamachat.db")));
}

[Trait("Provider", "postgres")]
public sealed class PostgresDataProtectionKeyTests : DataProtectionKeyTests
{
    protected override async Task<(string, string)> SharedDatabaseAsync() => ("postgres", await PostgresServer.CreateDatabaseAsync());
}
