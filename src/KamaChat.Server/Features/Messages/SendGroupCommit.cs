using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KamaChat.Server.Features.Messages;

/// <summary>A send checked and described, waiting for its channel's next commit: everything that needs no lock is done.</summary>
internal sealed class PendingSend(
    ChannelAccess access, Snowflake userId, Message message, UserSummary author, ReplyPreview? reply, Snowflake[] attachmentIds, long startedAt)
{
    /// <summary>When its handler started (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), and when it was queued for the commit.</summary>
    public long StartedAt => startedAt;

    public long QueuedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public ChannelAccess Access => access;

    public Snowflake UserId => userId;

    public Message Message => message;

    public UserSummary Author => author;

    public ReplyPreview? Reply => reply;

    public Snowflake[] AttachmentIds => attachmentIds;

    /// <summary>The uploads this send carries once committed (their processing is queued after the commit).</summary>
    public List<Attachment> Uploads { get; set; } = [];

    public TaskCompletionSource<SendOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What became of a send at its channel's commit.</summary>
internal abstract record SendOutcome
{
    /// <summary>Committed: the message as the gateway delivers it.</summary>
    public sealed record Created(MessageResponse Message) : SendOutcome;

    /// <summary>A retry of a nonce already used: the original, by id (loaded for the sender), or as created in the same batch.</summary>
    public sealed record Original(Snowflake Id, MessageResponse? Known) : SendOutcome
    {
        /// <summary>In a batch being committed: the same as the batch's send at this index, whatever becomes of it.</summary>
        internal int? SameAs { get; init; }
    }

    /// <summary>Refused under the lock (slow mode, an upload no longer claimable, the channel gone); nothing written for it.</summary>
    public sealed record Refused(ProblemHttpResult Problem, int? RetryAfterSeconds = null) : SendOutcome;
}

/// <summary>
/// Group commit of sends. Every send to a channel takes the channel row's lock and the channel's event sequence, so
/// concurrent sends to one channel queue behind each other's transactions anyway; here the sends that arrive while one
/// commit is running wait together, and the next commit takes all of them in one transaction: one lock, one insert
/// round trip, one commit (one fsync) for the batch. Ids and sequence numbers are taken one after the other under the
/// lock, in arrival order, exactly as one-at-a-time sends would take them. A batch that fails as a whole (a nonce raced
/// by another node, an upload swept) is rolled back and its sends committed one at a time, so one bad send neither
/// fails nor loses the others and nothing is half-written.
/// </summary>
/// <remarks>
/// A lane is what one commit at a time serves. On PostgreSQL each channel is a lane of its own: channels lock different
/// rows and commit in parallel on the commits' connections. On SQLite there is one lane for every channel: the file has
/// one writer at a time, so channels' commits would only queue for it (in <see cref="WriteGate"/>) one message each;
/// in one lane, the sends of every channel that arrive during a commit share the next transaction, each channel's part
/// of it (lock, nonces, sequence numbers, ids) as a batch of that channel alone would do it. Fewer, larger write
/// transactions is also what the search index wants: FTS5 writes a new segment and its merge work per transaction,
/// not per message.
/// </remarks>
public sealed class SendGroupCommit(
    IServiceScopeFactory scopes, SendMetrics metrics, IOptions<DatabaseOptions> database, ILogger<SendGroupCommit> logger)
{
    /// <summary>At most this many sends share one transaction; the rest go into the next one.</summary>
    public const int MaxBatch = 128;

    /// <summary>At most this many PostgreSQL connections commit sends at once (channels beyond wait for one, and batch more).</summary>
    public const int MaxCommitConnections = 16;

    /// <summary>
    /// On PostgreSQL, commits take their connections from a pool of their own (the same settings under another
    /// application name): a handful of server processes that have all done it before. From the shared pool (which hands
    /// out its idle connections in turn) a commit would often land on a process that never wrote a message, and a
    /// process's first message costs tens of milliseconds it then spends under the channel's lock: loading the search
    /// columns' unaccent dictionary and regular expressions and the foreign keys' plans, measured 20 to 50 ms, where a
    /// warm insert takes under one. With a pool that grows with the request load, that was most of a commit's mean.
    /// </summary>
    private readonly string? _commitConnectionString =
        database.Value.Provider == DatabaseProvider.Postgres ? CommitConnectionString(database.Value) : null;

    /// <summary>
    /// Statements a commit connection keeps prepared: a commit sends a handful of texts (the opening round trip's, EF Core's
    /// inserts for each batch size, COMMIT), the same on every connection of the pool.
    /// </summary>
    internal const int CommitPreparedStatements = 64;

    /// <summary>
    /// The connection string of the commits' own pool: the same settings under another application name, at most
    /// <see cref="MaxCommitConnections"/>, and, like every pool of the node, not reset when a commit hands its connection
    /// back (<see cref="DatabaseOptions.WithoutResetOnClose"/>). Npgsql's <c>DISCARD ALL</c> would also mark every plan
    /// the process cached as stale, among them the foreign keys' checks that the next commit would then plan again.
    /// With prepared statements on (KAMACHAT_DB_PREPARE), Npgsql prepares every text the pool's connections run twice:
    /// only the commit's statements run there, and each is a lookup by key or an insert, whose generic plan is the
    /// custom one, so none of the search's plan trouble (<see cref="Data.PreparedStatements"/>). Unprepared, PostgreSQL
    /// parsed and planned every statement of every commit: over 100 channels, a send a commit, 28% of its CPU (README).
    /// </summary>
    internal static string CommitConnectionString(DatabaseOptions database)
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseOptions.WithoutResetOnClose(database.ConnectionString));
        builder.ApplicationName = $"{builder.ApplicationName ?? "kamachat"} send commits";
        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, MaxCommitConnections);
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, builder.MaxPoolSize);
        if (database.PrepareStatements)
            (builder.MaxAutoPrepare, builder.AutoPrepareMinUsages) = (CommitPreparedStatements, 2);
        return builder.ConnectionString;
    }

    /// <summary>SQLite: every channel's sends share one lane (see the remarks above).</summary>
    private readonly bool _oneLane = database.Value.Provider == DatabaseProvider.Sqlite;

    /// <summary>The lane a channel's sends commit in: the channel itself, or on SQLite the one lane (id 0) for all.</summary>
    private Snowflake LaneOf(Snowflake channelId) => _oneLane ? default : channelId;

    private readonly ConcurrentDictionary<Snowflake, LaneQueue> _lanes = new();

    private sealed class LaneQueue
    {
        public readonly Lock Gate = new();
        public List<PendingSend> Waiting = [];
        public bool Running;
    }

    internal Task<SendOutcome> SendAsync(PendingSend send)
    {
        var laneId = LaneOf(send.Message.ChannelId);
        metrics.Prepared(send.StartedAt);
        while (true)
        {
            var queue = _lanes.GetOrAdd(laneId, _ => new LaneQueue());
            bool start;
            lock (queue.Gate)
            {
                // A queue whose runner let go of it has left the map: take the current one.
                if (!queue.Running && queue.Waiting.Count == 0 && !ReferenceEquals(_lanes.GetValueOrDefault(laneId), queue))
                    continue;
                queue.Waiting.Add(send);
                start = !queue.Running;
                queue.Running = true;
            }
            if (start)
                _ = Task.Run(() => RunAsync(laneId, queue));
            return send.Outcome.Task;
        }
    }

    /// <summary>Commits what waits, batch after batch, until nothing does.</summary>
    private async Task RunAsync(Snowflake laneId, LaneQueue queue)
    {
        while (true)
        {
            List<PendingSend> batch;
            lock (queue.Gate)
            {
                if (queue.Waiting.Count == 0)
                {
                    queue.Running = false;
                    _lanes.TryRemove(new KeyValuePair<Snowflake, LaneQueue>(laneId, queue));
                    return;
                }
                if (queue.Waiting.Count <= MaxBatch)
                    (batch, queue.Waiting) = (queue.Waiting, []);
                else
                {
                    batch = queue.Waiting.GetRange(0, MaxBatch);
                    queue.Waiting.RemoveRange(0, MaxBatch);
                }
            }
            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<PendingSend> batch)
    {
        try
        {
            await CommitTogetherAsync(batch);
            return;
        }
        catch (Exception e) when (batch.Count > 1 && e is not OutOfMemoryException)
        {
            logger.LogDebug(e, "A batch of {Count} sends to {Channels} channel(s) failed; committing them one at a time",
                batch.Count, batch.Select(s => s.Message.ChannelId).Distinct().Count());
        }
        catch (Exception e)
        {
            batch[0].Outcome.TrySetException(e);
            return;
        }
        foreach (var send in batch)
        {
            try
            {
                await CommitTogetherAsync([send]);
            }
            catch (DbUpdateConcurrencyException)
            {
                // An upload claimed under the lock was swept (unattached for too long) between the read and the write.
                send.Outcome.TrySetResult(new SendOutcome.Refused(
                    Problems.Of(StatusCodes.Status400BadRequest, "invalid_attachment", "An upload expired before the message was sent.")));
            }
            catch (Exception e)
            {
                // A concurrent identical send (on another node) won the unique (channel, author, nonce) index.
                if (e is DbUpdateException && send.Message.Nonce is not null && await WinnerAsync(send) is { } winner)
                    send.Outcome.TrySetResult(new SendOutcome.Original(winner, null));
                else
                    send.Outcome.TrySetException(e);
            }
        }
    }

    /// <summary>What the opening round trip found: the channel (null when it is gone) and the messages the batch's nonces already name.</summary>
    private sealed record Opening(SendMessage.LockedChannel? Locked, Dictionary<(Snowflake User, string Nonce), (Snowflake Id, DateTimeOffset CreatedAt)> EarlierByNonce);

    /// <summary>
    /// One round trip for what a batch needs before it can decide anything: lock the channel's row, read the messages its
    /// nonces already name, and take the channel stream's next numbers for every send in it (those of sends then refused
    /// are given back) with the id of the stream's event before them. As separate statements, each after the lock,
    /// so each reads what committed before the lock was granted. On PostgreSQL a round trip is a wake-up of the
    /// database and of this node; a commit of four of them instead of seven is what sends per second are made of.
    /// </summary>
    private static async Task<Opening> OpenAsync(KamaDbContext db, EventTransaction change, EventStream stream, List<PendingSend> batch, CancellationToken cancellationToken)
    {
        var channelId = stream.Id;
        var nonces = batch.Where(s => s.Message.Nonce is not null).Select(s => s.Message.Nonce!).Distinct().ToList();
        await using var command = RawCommands.Create(db, nonces.Count > 0 ? 4 : 3);
        // The channel, the stream and the count as parameters: one text for every channel, which a commit connection keeps prepared.
        command.AddParameter("@channel", channelId.Value);
        var sql = new StringBuilder(SendMessage.LockChannelSql("@channel"));
        if (nonces.Count > 0)
        {
            var names = new List<string>();
            for (var i = 0; i < nonces.Count; i++)
            {
                command.AddParameter($"@nonce{i}", nonces[i]);
                names.Add($"@nonce{i}");
            }
            sql.Append(CultureInfo.InvariantCulture,
                $"""SELECT "AuthorId", "Nonce", "Id", "CreatedAt" FROM messages WHERE "ChannelId" = @channel AND "Nonce" IN ({string.Join(", ", names)});""");
        }
        sql.Append(EventTransaction.ReserveSql(command, stream, batch.Count));
        command.CommandText = sql.ToString();

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        SendMessage.LockedChannel? locked = null;
        if (await reader.ReadAsync(cancellationToken))
            locked = new SendMessage.LockedChannel(await reader.IsDBNullAsync(0, cancellationToken) ? null : new Snowflake(reader.GetInt64(0)));
        var earlier = new Dictionary<(Snowflake User, string Nonce), (Snowflake Id, DateTimeOffset CreatedAt)>();
        if (nonces.Count > 0)
        {
            await reader.NextResultAsync(cancellationToken);
            // As EF Core stores it: a DateTimeOffset on PostgreSQL, a converted number on SQLite.
            var createdAt = db.Model.FindEntityType(typeof(Message))!.FindProperty(nameof(Message.CreatedAt))!.GetTypeMapping().Converter;
            while (await reader.ReadAsync(cancellationToken))
                earlier[(new Snowflake(reader.GetInt64(0)), reader.GetString(1))] = (new Snowflake(reader.GetInt64(2)),
                    createdAt is null ? reader.GetFieldValue<DateTimeOffset>(3) : (DateTimeOffset)createdAt.ConvertFromProvider(reader.GetValue(3))!);
        }
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var last = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        Snowflake? previous = await reader.ReadAsync(cancellationToken) ? new Snowflake(reader.GetInt64(0)) : null;
        change.Reserved(stream, batch.Count, last, previous);
        return new Opening(locked, earlier);
    }

    private async Task<Snowflake?> WinnerAsync(PendingSend send)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var (channelId, userId, nonce) = (send.Message.ChannelId, send.UserId, send.Message.Nonce);
        return await db.Messages.AsNoTracking()
            .Where(m => m.ChannelId == channelId && m.AuthorId == userId && m.Nonce == nonce)
            .Select(m => (Snowflake?)m.Id)
            .SingleOrDefaultAsync();
    }

    /// <summary>The batch in one transaction; outcomes are set only once it committed (a throw leaves them all unset).</summary>
    private async Task CommitTogetherAsync(List<PendingSend> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<KamaDbContext>();
        // The context comes from a pool: what is changed here is put back before it returns there.
        var sharedConnectionString = db.Database.GetConnectionString();
        if (_commitConnectionString is not null)
            db.Database.SetConnectionString(_commitConnectionString);
        // A failed batch is rolled back whole and retried in a new transaction: no savepoint around its SaveChanges
        // (on PostgreSQL, RELEASE SAVEPOINT is a round trip of its own between the inserts and the commit).
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await CommitBatchAsync(services, db, batch);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
            if (_commitConnectionString is not null)
                db.Database.SetConnectionString(sharedConnectionString);
        }
    }

    private async Task CommitBatchAsync(IServiceProvider services, KamaDbContext db, List<PendingSend> batch)
    {
        // The commit serves several requests: no one request's cancellation may cut it short.
        var cancellationToken = CancellationToken.None;
        var outcomes = new SendOutcome[batch.Count];
        foreach (var send in batch)
            metrics.Queued(send.QueuedAt);
        var beganAt = System.Diagnostics.Stopwatch.GetTimestamp();

        await using var change = await services.GetRequiredService<EventLog>().BeginAsync(cancellationToken);
        // Channel by channel in the order they first arrived, each channel's sends in their own order (one channel on PostgreSQL).
        var created = false;
        foreach (var channel in Enumerable.Range(0, batch.Count).GroupBy(i => batch[i].Message.ChannelId))
            created |= await StageChannelAsync(services, db, change, channel.Key, batch, channel.ToList(), outcomes, cancellationToken);
        for (var i = 0; i < batch.Count; i++)
            if (outcomes[i] is SendOutcome.Original { SameAs: { } first })
                outcomes[i] = outcomes[first] is SendOutcome.Created { Message: var original } ? new SendOutcome.Original(original.Id, original) : outcomes[first];

        // Nothing created (retries, refusals, the channels gone): nothing worth keeping, the transaction is rolled back.
        if (created)
            await change.CommitAsync(cancellationToken);
        metrics.Committed(batch.Count, beganAt);
        for (var i = 0; i < batch.Count; i++)
            batch[i].Outcome.TrySetResult(outcomes[i]);
    }

    /// <summary>
    /// One channel's part of a commit: lock it, decide each of its sends (<paramref name="sends"/>: their indexes in the
    /// batch, in arrival order), and add the accepted ones with their events. Outcomes go into <paramref name="outcomes"/>;
    /// they are told to the senders only after the commit.
    /// </summary>
    /// <returns>Whether any message was added.</returns>
    private static async Task<bool> StageChannelAsync(IServiceProvider services, KamaDbContext db, EventTransaction change, Snowflake channelId,
        List<PendingSend> batch, List<int> sends, SendOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var links = services.GetRequiredService<AttachmentLinks>();
        // The first write locks the channel row until commit, so concurrent sends to this channel (from other nodes, or
        // system lines) see this batch's nonces and slow-mode timestamps, and take their ids after it.
        var stream = new EventStream(EventScope.Channel, channelId);
        var (maybeLocked, earlierByNonce) = await OpenAsync(db, change, stream, sends.Select(i => batch[i]).ToList(), cancellationToken);
        if (maybeLocked is not { } locked)
        {
            foreach (var i in sends)
                outcomes[i] = new SendOutcome.Refused(Problems.NotFound("The channel")); // deleted since the permission check
            await change.ReleaseAsync(stream, sends.Count, cancellationToken);
            return false;
        }

        var now = time.GetUtcNow();
        // First what each send may do (nothing is written for a refused one), then the writes for the accepted ones:
        // the stream's sequence numbers are taken for exactly those, at once.
        var createdHere = new Dictionary<(Snowflake User, string Nonce), int>();
        var sentHere = new Dictionary<Snowflake, DateTimeOffset>();
        var claimedHere = new HashSet<Snowflake>();
        var accepted = new List<int>();
        foreach (var i in sends)
        {
            var send = batch[i];
            var (userId, nonce) = (send.UserId, send.Message.Nonce);
            if (nonce is not null)
            {
                // A retry while its first attempt is in this same batch: the same message (or the same refusal).
                if (createdHere.TryGetValue((userId, nonce), out var first))
                {
                    outcomes[i] = new SendOutcome.Original(default, null) { SameAs = first };
                    continue;
                }
                createdHere[(userId, nonce)] = i;
                if (earlierByNonce.TryGetValue((userId, nonce), out var earlier))
                {
                    if (earlier.CreatedAt > now - SendMessage.NonceWindow)
                    {
                        outcomes[i] = new SendOutcome.Original(earlier.Id, null);
                        continue;
                    }
                    // An expired nonce starts a new message; the old one lets go of it so the unique index allows the reuse.
                    await db.Messages.Where(m => m.Id == earlier.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Nonce, (string?)null), cancellationToken);
                }
            }

            if (SendMessage.InSlowMode(send.Access))
            {
                var lastSent = sentHere.TryGetValue(userId, out var sent) ? sent : await SendMessage.LastSentAsync(db, channelId, userId, cancellationToken);
                if (SendMessage.SlowModeWait(send.Access, now, lastSent) is { } wait)
                {
                    var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                    outcomes[i] = new SendOutcome.Refused(Problems.Of(StatusCodes.Status429TooManyRequests, "slow_mode",
                        $"This channel is in slow mode; you can send again in {seconds} s.",
                        new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds }), seconds);
                    continue;
                }
            }

            // Uploads are claimed under the channel's lock, so two sends cannot both take one (in one batch, the first claims it).
            var uploads = await SendMessage.ClaimableUploadsAsync(db, channelId, userId, send.AttachmentIds, cancellationToken);
            if (uploads is null || uploads.Any(u => claimedHere.Contains(u.Id)))
            {
                outcomes[i] = new SendOutcome.Refused(Problems.Of(StatusCodes.Status400BadRequest, "invalid_attachment",
                    "attachmentIds must name your own uploads to this channel that no message carries yet."));
                continue;
            }
            claimedHere.UnionWith(uploads.Select(u => u.Id));
            send.Uploads = uploads;
            sentHere[userId] = now;
            accepted.Add(i);
        }

        await change.ReleaseAsync(stream, sends.Count - accepted.Count, cancellationToken);
        Snowflake? last = null;
        foreach (var i in accepted)
        {
            var (send, message) = (batch[i], batch[i].Message);
            // A failed batch's attempt left this message tied to that attempt's entities (EF Core's fix-up gave it the
            // channel stub attached below and the uploads it claimed). Added again with them, they would be inserted
            // as new rows or clash with this attempt's own: every send of the batch retried alone would then fail.
            message.Channel = null!;
            message.Attachments.Clear();
            // The id is taken here, under the lock, above the channel's last message and everything the channel logged:
            // ids follow commit order, so paging history with after=<an id> misses nothing committed later.
            MessageResponse? created = null;
            await change.AppendCreatingAsync(stream, idFloor: last ?? locked.LastMessageId ?? default, (sequence, messageId) =>
            {
                (message.Id, message.Sequence) = (messageId, sequence);
                // The message was created when its id was taken (the lock may have been waited for): the time and the id
                // agree, so a date bound (search's before:/after:) and an id bound select the same messages.
                message.CreatedAt = messageId.Timestamp;
                foreach (var upload in send.Uploads)
                    upload.MessageId = messageId;
                return new MessageCreated(channelId, created = SendMessage.Describe(
                    message, send.Author, send.Reply, send.Uploads.Select(u => links.Describe(AttachmentLinks.RowOf(u))).ToList()));
            }, cancellationToken);
            db.Messages.Add(message);
            outcomes[i] = new SendOutcome.Created(created!);
            last = message.Id;
        }
        // In the same round trip as the inserts (the row is locked and exists): only LastMessageId is written.
        if (last is { } lastId)
            db.Channels.Attach(new Channels.Channel { Id = channelId }).Property(c => c.LastMessageId).CurrentValue = lastId;
        return last is not null;
    }
}

public static class MessagingExtensions
{
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SendGroupCommit>();
        builder.Services.AddSingleton<SendMetrics>();
        return builder;
    }
}
