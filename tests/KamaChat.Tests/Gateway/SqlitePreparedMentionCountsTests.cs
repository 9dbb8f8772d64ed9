using System.Net;
using KamaChat.Server.Features.ReadStates;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// Ready's mention counts on SQLite run on a statement prepared once (its channel lists are array parameters, so its
/// text is the same for every user), and a reused statement counts for its own user and channels only.
/// </summary>
[Trait("Provider", "sqlite")]
public sealed class SqlitePreparedMentionCountsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Mention_counts_prepare_their_statement_once_and_a_reuse_counts_its_own_users_channels()
    {
        var (member, other) = (await app.UserAsync(), await app.UserAsync());
        var (serverId, opened, owner) = await app.SeedServerWithChannelAsync(member, other);
        var quiet = await app.SeedTextChannelAsync(serverId, name: "quiet");
        var read = await owner.Client.SendOkAsync(opened, $"<@{member.Id}> <@{other.Id}> read already");
        Assert.Equal(HttpStatusCode.OK, (await member.Client.PostAsync($"/api/v1/channels/{opened}/messages/{read.Id}/ack", null)).StatusCode);
        await owner.Client.SendOkAsync(opened, $"<@{member.Id}> after the read position");
        await owner.Client.SendOkAsync(opened, "@everyone after it too");
        await owner.Client.SendOkAsync(quiet, $"<@{other.Id}> in a channel nobody opened");
        await using var own = new OwnStatements(app);
        // Only the database is used for the counts.
        var readStates = new ReadStateService(own.Db, null!, null!, TimeProvider.System);

        var memberCounts = await readStates.MentionCountsAsync(member.Id, [opened, quiet], new HashSet<Snowflake> { opened }, default);
        Assert.Equal(1, own.Statements.Prepared);
        // The other user has no read state: both channels count from their start, on the statement prepared above.
        var otherCounts = await readStates.MentionCountsAsync(other.Id, [opened, quiet], new HashSet<Snowflake>(), default);

        Assert.Equal(new Dictionary<Snowflake, int> { [opened] = 2 }, memberCounts);
        Assert.Equal(new Dictionary<Snowflake, int> { [opened] = 2, [quiet] = 1 }, otherCounts);
        Assert.Equal((1, 1), (own.Statements.Prepared, own.Statements.Reused));
    }
}
