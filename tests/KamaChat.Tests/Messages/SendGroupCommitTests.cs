using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Tests.Attachments;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KamaChat.Tests.Messages;

/// <summary>
/// Concurrent sends to one channel share a transaction (group commit): each still commits exactly once, in id order,
/// is delivered once, a nonce retry in the same batch is the same message, and a refused send does not take the others down.
/// </summary>
public abstract class SendGroupCommitTests(KamaChatApp app)
{
    private const int Senders = 4;
    private const int MessagesEach = 10;

    [Fact]
    public async Task Concurrent_sends_to_one_channel_each_commit_once_in_id_order_and_are_delivered_once()
    {
        var senders = new List<TestUser>();
        for (var i = 0; i < Senders; i++)
            senders.Add(await app.UserAsync());
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync([.. senders]);
        await using var listener = await GatewayClient.ConnectAsync(app, Token(owner));
        await listener.ReadyAsync();

        // Everything at once: while one batch commits, the rest queue up for the next.
        var sent = await Task.WhenAll(senders.SelectMany((sender, s) =>
            Enumerable.Range(0, MessagesEach).Select(m => sender.Client.SendOkAsync(channelId, $"{s}-{m}"))));

        var committed = await app.QueryAsync(db => db.Messages.Where(m => m.ChannelId == channelId)
            .OrderBy(m => m.Sequence).Select(m => new { m.Id, m.Sequence, m.Content }).ToListAsync());
        Assert.Equal(Senders * MessagesEach, committed.Count);
        Assert.Equal(Enumerable.Range(1, committed.Count).Select(s => (long)s), committed.Select(m => m.Sequence));
        Assert.Equal(committed.Select(m => m.Id).Order(), committed.Select(m => m.Id));
        Assert.Equal(sent.Select(m => m.Id).Order(), committed.Select(m => m.Id));
        Assert.Equal(sent.Select(m => m.Content).Order(), committed.Select(m => m.Content).Order());
        Assert.Equal(committed[^1].Id, await app.QueryAsync(db => db.Channels.Where(c => c.Id == channelId).Select(c => c.LastMessageId).SingleAsync()));

        await listener.WaitForEventsAsync(e => e.Count(x => x.Type == "MessageCreated") >= committed.Count);
        await GatewayClient.SettleAsync();
        var delivered = listener.Events.Where(e => e.Type == "MessageCreated").Select(e => (e.Sequence, Id: MessageId(e))).ToList();
        Assert.Equal(committed.Select(m => (m.Sequence, m.Id)), delivered);
    }

    [Fact]
    public async Task A_retry_with_the_same_nonce_among_concurrent_sends_returns_the_same_message()
    {
        var other = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(other);

        // The retries race each other and a crowd of other sends, so they land in batches together.
        var crowd = Enumerable.Range(0, 20).Select(i => other.Client.SendOkAsync(channelId, $"crowd {i}")).ToList();
        var retries = Enumerable.Range(0, 6).Select(_ => owner.Client.SendMessageAsync(channelId, "once", nonce: "retried")).ToList();
        await Task.WhenAll(crowd);
        var responses = await Task.WhenAll(retries);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<MessageResponse>(Api.Json))!.Id));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await app.QueryAsync(db => db.Messages.CountAsync(m => m.ChannelId == channelId && m.Nonce == "retried")));
        Assert.Equal(21, await app.MessageCountAsync(channelId));
    }

    [Fact]
    public async Task Refused_sends_in_a_batch_neither_fail_nor_lose_the_others_and_write_nothing()
    {
        var member = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var upload = await owner.Client.UploadOkAsync(channelId, "note.txt", "one upload, two claims"u8.ToArray());
        var theirs = await member.Client.UploadOkAsync(channelId, "theirs.txt", "not the owner's"u8.ToArray());

        var good = Enumerable.Range(0, 20).Select(i => member.Client.SendMessageAsync(channelId, $"fine {i}")).ToList();
        // Two sends claim one upload (one wins), and one names someone else's upload (refused under the lock).
        var claims = Enumerable.Range(0, 2).Select(i => owner.Client.SendWithAsync(channelId, $"claim {i}", upload.Id)).ToList();
        var foreign = owner.Client.SendWithAsync(channelId, "not mine", theirs.Id);
        var goodResponses = await Task.WhenAll(good);
        var claimResponses = await Task.WhenAll(claims);

        Assert.All(goodResponses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(claimResponses, r => r.StatusCode == HttpStatusCode.Created);
        await claimResponses.Single(r => r.StatusCode != HttpStatusCode.Created).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_attachment");
        await (await foreign).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_attachment");

        var committed = await app.QueryAsync(db => db.Messages.Where(m => m.ChannelId == channelId)
            .OrderBy(m => m.Sequence).Select(m => new { m.Id, m.Sequence, m.Content }).ToListAsync());
        Assert.Equal(21, committed.Count);
        // No number is lost to a refused send: the channel's stream runs 1..N without a gap, and holds the messages'
        // numbers. Not exactly 1..21: the claimed upload's processing, begun by its send, announces that message's update
        // in the same stream, and on a loaded machine it can land between the other sends.
        var stream = await app.QueryAsync(db => db.EventLog.Where(e => e.ScopeId == channelId).OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, stream.Count).Select(s => (long)s), stream);
        Assert.Subset(stream.ToHashSet(), committed.Select(m => m.Sequence).ToHashSet());
        Assert.DoesNotContain(committed, m => m.Content == "not mine");
        var claimed = committed.Single(m => m.Content.StartsWith("claim", StringComparison.Ordinal)).Id;
        Assert.Equal(claimed, await app.QueryAsync(db => db.Attachments.Where(a => a.Id == upload.Id).Select(a => a.MessageId).SingleAsync()));
        Assert.Null(await app.QueryAsync(db => db.Attachments.Where(a => a.Id == theirs.Id).Select(a => a.MessageId).SingleAsync()));
        Assert.Equal(21, await app.QueryAsync(db => db.EventLog.CountAsync(e => e.ScopeId == channelId && e.Type == "MessageCreated")));
    }

    /// <summary>
    /// A batch whose write fails in the database writes nothing; its sends are then committed one at a time, the failing
    /// one alone refused (before, every one of them failed: the failed attempt had tied the messages to its own
    /// entities, and each retry inserted those again).
    /// </summary>
    [Fact]
    public async Task A_batch_whose_writes_fail_writes_nothing_and_its_other_sends_commit_once_each()
    {
        var member = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        // A write that fails in the database itself, after the batch's checks passed (as a nonce raced by another node would).
        await app.QueryAsync(db => db.Database.ExecuteSqlRawAsync(RefusingTriggerSql));
        try
        {
            var good = Enumerable.Range(0, 20).Select(i => member.Client.SendMessageAsync(channelId, $"fine {i}")).ToList();
            var failing = Enumerable.Range(0, 3).Select(_ => owner.Client.SendMessageAsync(channelId, "fails")).ToList();
            var goodResponses = await Task.WhenAll(good);
            var failingResponses = await Task.WhenAll(failing);

            Assert.All(goodResponses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
            Assert.All(failingResponses, r => Assert.False(r.IsSuccessStatusCode, r.StatusCode.ToString()));
            var committed = await app.QueryAsync(db => db.Messages.Where(m => m.ChannelId == channelId)
                .OrderBy(m => m.Sequence).Select(m => new { m.Id, m.Sequence, m.Content }).ToListAsync());
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"fine {i}").Order(), committed.Select(m => m.Content).Order());
            Assert.Equal(Enumerable.Range(1, 20).Select(s => (long)s), committed.Select(m => m.Sequence));
            Assert.Equal(committed.Select(m => m.Id).Order(), committed.Select(m => m.Id));
            Assert.Equal(20, await app.QueryAsync(db => db.EventLog.CountAsync(e => e.ScopeId == channelId && e.Type == "MessageCreated")));
            Assert.Equal(committed[^1].Id, await app.QueryAsync(db => db.Channels.Where(c => c.Id == channelId).Select(c => c.LastMessageId).SingleAsync()));
            // The commits' connections went back to their pool clean: the next send commits.
            Assert.Equal(HttpStatusCode.Created, (await member.Client.SendMessageAsync(channelId, "after")).StatusCode);
        }
        finally
        {
            await app.QueryAsync(db => db.Database.ExecuteSqlRawAsync(DropRefusingTriggerSql));
        }
    }

    /// <summary>
    /// Sends to many channels at once, held back until all are queued: every one commits once, each channel's sequence is
    /// gapless and in id order, a nonce retry is the same message, and a refused send leaves its own channel's and the
    /// other channels' sends alone. On SQLite the channels share transactions (one lane: a batch holds more sends than
    /// any one channel had); on PostgreSQL each channel commits on its own (no batch holds more than one channel's).
    /// </summary>
    [Fact]
    public async Task Concurrent_sends_to_many_channels_commit_once_each_in_order_per_channel()
    {
        const int Channels = 6;
        const int PerSender = 3;
        var senders = new[] { await app.UserAsync(), await app.UserAsync() };
        var channels = new List<(Snowflake Id, TestUser Owner)>();
        for (var c = 0; c < Channels; c++)
        {
            var (_, channelId, owner) = await app.SeedServerWithChannelAsync(senders);
            channels.Add((channelId, owner));
        }
        var theirs = await senders[0].Client.UploadOkAsync(channels[1].Id, "theirs.txt", "not the owner's"u8.ToArray());
        // Most sends a channel gets in this test: its senders' messages, and in channel 0 two nonce retries.
        const int MostPerChannel = 2 * PerSender + 2;

        var factory = app.Services.GetRequiredService<IMeterFactory>();
        var batches = new System.Collections.Concurrent.ConcurrentBag<long>();
        var prepared = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SendMetrics.Name && ReferenceEquals(instrument.Meter.Scope, factory))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => batches.Add(value));
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "stage", Value: "prepare" })
                    Interlocked.Increment(ref prepared);
        });
        listener.Start();

        // The write gate held (SQLite): every send queues before the first commit can begin.
        var held = await app.Services.GetRequiredService<WriteGate>().EnterAsync(CancellationToken.None);
        List<Task<HttpResponseMessage>> sends;
        Task<HttpResponseMessage>[] retries;
        Task<HttpResponseMessage> foreign;
        try
        {
            sends = channels.SelectMany((channel, c) => senders.SelectMany((sender, s) =>
                Enumerable.Range(0, PerSender).Select(m => sender.Client.SendMessageAsync(channel.Id, $"{c}-{s}-{m}")))).ToList();
            retries = [.. Enumerable.Range(0, 2).Select(_ => channels[0].Owner.Client.SendMessageAsync(channels[0].Id, "once", nonce: "shared-batch"))];
            // Someone else's upload: refused under the lock, in the same batch as the others.
            foreign = channels[1].Owner.Client.SendWithAsync(channels[1].Id, "not mine", theirs.Id);
            var total = sends.Count + retries.Length + 1;
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (Volatile.Read(ref prepared) < total && waited.Elapsed < TimeSpan.FromSeconds(5))
                await Task.Delay(10);
        }
        finally
        {
            held?.Dispose();
        }

        Assert.All(await Task.WhenAll(sends), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var retried = await Task.WhenAll(retries);
        Assert.Single(retried, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Single((await Task.WhenAll(retried.Select(async r => (await r.Content.ReadFromJsonAsync<MessageResponse>(Api.Json))!.Id))).Distinct());
        await (await foreign).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_attachment");

        for (var c = 0; c < Channels; c++)
        {
            var channelId = channels[c].Id;
            var committed = await app.QueryAsync(db => db.Messages.Where(m => m.ChannelId == channelId)
                .OrderBy(m => m.Sequence).Select(m => new { m.Id, m.Sequence, m.Content }).ToListAsync());
            var expected = senders.SelectMany((_, s) => Enumerable.Range(0, PerSender).Select(m => $"{c}-{s}-{m}")).Concat(c == 0 ? new[] { "once" } : []);
            Assert.Equal(expected.Order(), committed.Select(m => m.Content).Order());
            Assert.Equal(Enumerable.Range(1, committed.Count).Select(s => (long)s), committed.Select(m => m.Sequence));
            Assert.Equal(committed.Select(m => m.Id).Order(), committed.Select(m => m.Id));
            // One MessageCreated per message, with the message's sequence number.
            Assert.Equal(committed.Select(m => m.Sequence), await app.QueryAsync(db => db.EventLog
                .Where(e => e.ScopeId == channelId && e.Type == "MessageCreated").OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync()));
            Assert.Equal(committed[^1].Id, await app.QueryAsync(db => db.Channels.Where(ch => ch.Id == channelId).Select(ch => ch.LastMessageId).SingleAsync()));
        }
        Assert.Null(await app.QueryAsync(db => db.Attachments.Where(a => a.Id == theirs.Id).Select(a => a.MessageId).SingleAsync()));

        if (SharesOneLane)
            Assert.True(batches.Max() > MostPerChannel, $"batches: {string.Join(", ", batches)}");
        else
            Assert.True(batches.Max() <= MostPerChannel, $"batches: {string.Join(", ", batches)}");
    }

    /// <summary>Whether sends to different channels share transactions (SQLite).</summary>
    protected abstract bool SharesOneLane { get; }

    /// <summary>A trigger that makes the database refuse to insert a message whose content is <c>fails</c>.</summary>
    protected abstract string RefusingTriggerSql { get; }

    protected abstract string DropRefusingTriggerSql { get; }

    private static Snowflake MessageId(Server.Features.Gateway.GatewayEvent e) =>
        JsonSerializer.Deserialize<MessageResponse>(e.Data, Api.Json)!.Id;

    private static string Token(TestUser user) => user.Client.DefaultRequestHeaders.Authorization!.Parameter!;
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSendGroupCommitTests(SqliteApp app) : SendGroupCommitTests(app), IClassFixture<SqliteApp>
{
    protected override bool SharesOneLane => true;

    protected override string RefusingTriggerSql => """
        CREATE TRIGGER refuse_a_send BEFORE INSERT ON messages FOR EACH ROW WHEN NEW."Content" = 'fails'
        BEGIN SELECT RAISE(ABORT, 'refused by the database'); END;
        """;

    protected override string DropRefusingTriggerSql => "DROP TRIGGER refuse_a_send;";
}

[Trait("Provider", "postgres")]
public sealed class PostgresSendGroupCommitTests(PostgresApp app) : SendGroupCommitTests(app), IClassFixture<PostgresApp>
{
    protected override bool SharesOneLane => false;

    protected override string RefusingTriggerSql => """
        CREATE FUNCTION refuse_a_send() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN RAISE EXCEPTION 'refused by the database'; END $f$;
        CREATE TRIGGER refuse_a_send BEFORE INSERT ON messages FOR EACH ROW
        WHEN (NEW."Content" = 'fails') EXECUTE FUNCTION refuse_a_send();
        """;

    protected override string DropRefusingTriggerSql => "DROP TRIGGER refuse_a_send ON messages; DROP FUNCTION refuse_a_send();";

    /// <summary>
    /// Commits take their connections from a small pool of their own, so they land on database processes that have
    /// written messages before (a process's first message costs tens of milliseconds, spent under the channel's lock).
    /// </summary>
    [Fact]
    public async Task Sends_commit_on_the_commits_own_few_connections()
    {
        var other = await app.UserAsync();
        var channels = new List<Snowflake>();
        for (var i = 0; i < 3; i++)
            channels.Add((await app.SeedServerWithChannelAsync(other)).ChannelId);
        await Task.WhenAll(channels.SelectMany(channelId => Enumerable.Range(0, 10).Select(m => other.Client.SendOkAsync(channelId, $"m{m}"))));

        var commitConnections = await app.QueryAsync(db => db.Database.SqlQueryRaw<int>("""
            SELECT count(*)::int AS "Value" FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '% send commits'
            """).SingleAsync());
        Assert.InRange(commitConnections, 1, SendGroupCommit.MaxCommitConnections);
        Assert.Equal(30, await app.QueryAsync(db => db.Messages.CountAsync(m => channels.Contains(m.ChannelId))));
    }

    /// <summary>
    /// A commit's connection prepares the statements it runs again (one text for every channel): PostgreSQL parses and
    /// plans them once per connection instead of at every commit. Not with KAMACHAT_DB_PREPARE off (PgBouncer).
    /// </summary>
    [Fact]
    public async Task A_commit_connection_prepares_what_it_repeats()
    {
        var database = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        foreach (var prepare in new[] { true, false })
        {
            var options = new DatabaseOptions { Provider = database.Provider, ConnectionString = database.ConnectionString, PrepareStatements = prepare };
            var settings = new NpgsqlConnectionStringBuilder(SendGroupCommit.CommitConnectionString(options))
            {
                ApplicationName = $"prepare probe {prepare}", MaxPoolSize = 1,
            };
            await using var connection = new NpgsqlConnection(settings.ConnectionString);
            await connection.OpenAsync();
            foreach (var channel in new[] { 1L, 2L, 3L })
            {
                await using var command = new NpgsqlCommand(SendMessage.LockChannelSql("@channel"), connection);
                command.Parameters.AddWithValue("channel", channel);
                await command.ExecuteNonQueryAsync();
            }
            await using (var count = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'UPDATE channels%'", connection))
                Assert.Equal(prepare ? 1L : 0L, await count.ExecuteScalarAsync());
            await connection.CloseAsync();
            NpgsqlConnection.ClearPool(connection);
        }
    }

    /// <summary>
    /// A commit's connection goes back to its pool without Npgsql's <c>DISCARD ALL</c>, which would make the process plan
    /// its foreign-key checks again at the next commit: what a session sets stays for the next one on that process.
    /// </summary>
    [Fact]
    public async Task A_commit_connection_is_not_reset_when_handed_back()
    {
        // The commits' settings, in a one-connection pool of this test's own, so the reopen gets the same process.
        var settings = new NpgsqlConnectionStringBuilder(SendGroupCommit.CommitConnectionString(app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value))
        {
            ApplicationName = "reset probe", MaxPoolSize = 1,
        };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('kamachat.reset_probe', 'kept', false)", connection))
            await set.ExecuteScalarAsync();
        await connection.CloseAsync();

        await connection.OpenAsync();
        await using (var read = new NpgsqlCommand("SELECT current_setting('kamachat.reset_probe', true)", connection))
            Assert.Equal("kept", await read.ExecuteScalarAsync());
        await connection.CloseAsync();
        NpgsqlConnection.ClearPool(connection);
    }
}
