using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Events;

/// <summary>Who an event is for: everyone who can see a channel, every member of a server, or one user.</summary>
public enum EventScope
{
    Channel = 0,
    Server = 1,
    User = 2,
}

/// <summary>
/// One change, as the gateway delivers it. Written in the same transaction as the change it describes, with the
/// next sequence number of its stream, so the log is both the outbox and what reconnecting clients resume from.
/// </summary>
public sealed class EventLogEntry
{
    public Snowflake Id { get; set; }

    public EventScope Scope { get; set; }

    public Snowflake ScopeId { get; set; }

    public long Sequence { get; set; }

    /// <summary>The event record's <see cref="IEvent.Type"/>: MessageCreated, ChannelDeleted, MemberLeft, ...</summary>
    public string Type { get; set; } = "";

    /// <summary>The event's <see cref="IEvent.Data"/> as camelCase JSON, serialized once and sent as is.</summary>
    public string Payload { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The last sequence number handed out per stream (channel, server or user).</summary>
public sealed class EventSequence
{
    public EventScope Scope { get; set; }

    public Snowflake ScopeId { get; set; }

    public long LastSequence { get; set; }
}

internal sealed class EventLogConfiguration : IEntityTypeConfiguration<EventLogEntry>, IEntityTypeConfiguration<EventSequence>
{
    public void Configure(EntityTypeBuilder<EventLogEntry> entry)
    {
        entry.ToTable("event_log");
        entry.Property(e => e.Id).ValueGeneratedNever();
        entry.Property(e => e.Type).HasMaxLength(64);
        entry.HasIndex(e => new { e.Scope, e.ScopeId, e.Sequence }).IsUnique();
        entry.HasIndex(e => e.CreatedAt);
    }

    public void Configure(EntityTypeBuilder<EventSequence> stream)
    {
        stream.ToTable("event_streams");
        stream.HasKey(s => new { s.Scope, s.ScopeId });
    }
}

/// <summary>
/// Starts a change that emits events. Use: <c>await using var change = await events.BeginAsync(ct);</c>, change the
/// DbContext, <c>await change.AppendAsync(new RoleUpdated(...), ct)</c> for each event, then <c>await change.CommitAsync(ct)</c>: the change and
/// its events commit together, and only then are the events handed to the <see cref="EventBus"/>.
/// </summary>
public sealed class EventLog(KamaDbContext db, SnowflakeGenerator ids, TimeProvider time, EventBus bus, WriteGate gate)
{
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>The event's data as it is logged and sent: its JSON, by the data's own shape.</summary>
    internal static string Serialize(IEvent @event) => JsonSerializer.Serialize(@event.Data, @event.Data.GetType(), PayloadJson);

    public async Task<EventTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
            return new EventTransaction(db, ids, time, bus, transaction: null, release: null);
        var release = await gate.EnterAsync(cancellationToken);
        try
        {
            return new EventTransaction(db, ids, time, bus, await db.Database.BeginTransactionAsync(cancellationToken), release);
        }
        catch
        {
            release?.Dispose();
            throw;
        }
    }
}

/// <summary>
/// Lets one write transaction at a time into SQLite, in arrival order. SQLite allows one writer per file anyway, but its
/// own waiting is polling (sleeps of up to 100 ms between tries), which under many concurrent writers leaves the lock
/// idle while they sleep and turns a queue of short transactions into long waits. One node owns a SQLite file, so an
/// in-process queue is exact. PostgreSQL locks rows, and needs none.
/// </summary>
public sealed class WriteGate(IOptions<DatabaseOptions> database) : IDisposable
{
    private readonly SemaphoreSlim? _gate = database.Value.Provider == DatabaseProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;
    private readonly TimeSpan _patience = TimeSpan.FromMilliseconds(database.Value.SqliteBusyTimeoutMilliseconds);

    /// <returns>What leaves the gate when disposed; null when there is no gate.</returns>
    /// <exception cref="SqliteException">SQLITE_BUSY when the writers ahead take longer than the busy timeout (the file
    /// locked by someone else, say): the same 503 a write waiting on the lock itself gets, not a queue that grows forever.</exception>
    public async Task<IDisposable?> EnterAsync(CancellationToken cancellationToken)
    {
        if (_gate is null)
            return null;
        if (!await _gate.WaitAsync(_patience, cancellationToken))
            throw new SqliteException("database is locked: this node's earlier writers held it longer than the busy timeout", 5);
        return new Exit(_gate);
    }

    public void Dispose() => _gate?.Dispose();

    private sealed class Exit(SemaphoreSlim gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
                gate.Release();
        }
    }
}

public sealed class EventTransaction : IAsyncDisposable
{
    private readonly KamaDbContext _db;
    private readonly SnowflakeGenerator _ids;
    private readonly TimeProvider _time;
    private readonly EventBus _bus;
    private readonly IDbContextTransaction? _transaction;
    private readonly List<EventLogEntry> _appended = [];
    private readonly Dictionary<EventStream, Snowflake> _lastIds = [];
    private readonly Dictionary<EventStream, (long Next, long Last)> _reserved = [];

    private readonly IDisposable? _release;

    internal EventTransaction(
        KamaDbContext db, SnowflakeGenerator ids, TimeProvider time, EventBus bus, IDbContextTransaction? transaction, IDisposable? release)
    {
        (_db, _ids, _time, _bus, _transaction, _release) = (db, ids, time, bus, transaction, release);
    }

    /// <summary>Takes the event's stream's next sequence number (locking the stream until commit, which keeps events in order) and logs the event.</summary>
    public Task<EventLogEntry> AppendAsync<TEvent>(TEvent @event, CancellationToken cancellationToken)
        where TEvent : IEvent =>
        AppendCreatingAsync(@event.Stream, idFloor: default, (_, _) => @event, cancellationToken);

    /// <summary>
    /// Like <see cref="AppendAsync{TEvent}"/>, for an event about something it creates (a new message): <paramref name="create"/>
    /// gets the stream's new sequence number and an id for the new thing. Both are taken under the stream's lock, and the id
    /// is above <paramref name="idFloor"/> and above every id the stream logged before, so within a stream ids follow
    /// commit order even when nodes' clocks disagree: "everything after id X" misses nothing committed later.
    /// </summary>
    public async Task<EventLogEntry> AppendCreatingAsync<TEvent>(
        EventStream stream, Snowflake idFloor, Func<long, Snowflake, TEvent> create, CancellationToken cancellationToken)
        where TEvent : IEvent
    {
        long sequence;
        if (_reserved.TryGetValue(stream, out var reserved) && reserved.Next <= reserved.Last)
            (sequence, _reserved[stream]) = (reserved.Next, (reserved.Next + 1, reserved.Last));
        else
            sequence = await BumpAsync(stream, 1, cancellationToken);

        // Under the stream's lock now: its previous event is final, and ids here go above it (and above what this
        // transaction appended to the stream before, not saved yet).
        var (scope, scopeId) = (stream.Scope, stream.Id);
        var previous = _lastIds.TryGetValue(stream, out var appended) ? appended
            : await _db.EventLog.Where(e => e.Scope == scope && e.ScopeId == scopeId && e.Sequence == sequence - 1)
                .Select(e => (Snowflake?)e.Id).SingleOrDefaultAsync(cancellationToken) ?? default;
        var createdId = _ids.NextIdAbove(Snowflake.Max(previous, idFloor));

        var @event = create(sequence, createdId);
        if (@event.Stream != stream)
            throw new InvalidOperationException($"{TEvent.Type} belongs to {@event.Stream}, not to {stream} whose sequence it took.");
        var entry = new EventLogEntry
        {
            Id = _ids.NextIdAbove(createdId),
            Scope = stream.Scope,
            ScopeId = stream.Id,
            Sequence = sequence,
            Type = TEvent.Type,
            Payload = EventLog.Serialize(@event),
            CreatedAt = _time.GetUtcNow(),
        };
        _lastIds[stream] = entry.Id;
        _db.Add(entry);
        _appended.Add(entry);
        return entry;
    }

    /// <summary>
    /// Takes the stream's next <paramref name="count"/> sequence numbers for that many appends that follow (a batch of
    /// sends), each then taking its number without a round trip; and reads the id of the stream's previous event. For a
    /// caller that sends it in one round trip after statements of its own (a command of several statements): two result sets, the stream's new
    /// last number and the id of the event before the reserved ones (no row when there is none). Hand them to
    /// <see cref="Reserved"/>. Each statement reads what the ones before it wrote and what committed before it began, so a
    /// lock taken by an earlier statement in the command is held when these read. The stream and the count go into
    /// <paramref name="command"/>'s parameters, so the text is the same for every stream and batch (prepared once per
    /// connection where the connection prepares what it repeats).
    /// </summary>
    internal static string ReserveSql(DbCommand command, EventStream stream, int count)
    {
        command.AddParameter("@reserveScope", (int)stream.Scope);
        command.AddParameter("@reserveScopeId", stream.Id.Value);
        command.AddParameter("@reserveCount", (long)count);
        return """
            INSERT INTO event_streams ("Scope", "ScopeId", "LastSequence") VALUES (@reserveScope, @reserveScopeId, @reserveCount)
            ON CONFLICT ("Scope", "ScopeId") DO UPDATE SET "LastSequence" = event_streams."LastSequence" + @reserveCount
            RETURNING "LastSequence";
            SELECT "Id" FROM event_log WHERE "Scope" = @reserveScope AND "ScopeId" = @reserveScopeId
            AND "Sequence" = (SELECT "LastSequence" FROM event_streams WHERE "Scope" = @reserveScope AND "ScopeId" = @reserveScopeId) - @reserveCount;
            """;
    }

    /// <summary>What <see cref="ReserveSql"/> returned: the next <paramref name="count"/> appends to the stream take these numbers, above <paramref name="previous"/>.</summary>
    internal void Reserved(EventStream stream, int count, long last, Snowflake? previous)
    {
        _reserved[stream] = (last - count + 1, last);
        _lastIds[stream] = previous ?? default;
    }

    /// <summary>
    /// Gives back the last <paramref name="unused"/> reserved numbers (sends refused after the reservation): the stream's
    /// row is locked by this transaction since the reservation, so nobody took a number above them.
    /// </summary>
    internal async Task ReleaseAsync(EventStream stream, int unused, CancellationToken cancellationToken)
    {
        if (unused <= 0)
            return;
        var (next, last) = _reserved[stream];
        if (last - unused + 1 < next)
            throw new InvalidOperationException("Releasing sequence numbers already appended.");
        await _db.Database.ExecuteSqlAsync($"""
            UPDATE event_streams SET "LastSequence" = "LastSequence" - {unused} WHERE "Scope" = {(int)stream.Scope} AND "ScopeId" = {stream.Id.Value}
            """, cancellationToken);
        _reserved[stream] = (next, last - unused);
    }

    /// <summary>One statement on both providers: create the stream at <paramref name="count"/> or add it, and read the new last value.</summary>
    private async Task<long> BumpAsync(EventStream stream, int count, CancellationToken cancellationToken) =>
        (await _db.Database.SqlQuery<long>($"""
            INSERT INTO event_streams ("Scope", "ScopeId", "LastSequence") VALUES ({(int)stream.Scope}, {stream.Id.Value}, {count})
            ON CONFLICT ("Scope", "ScopeId") DO UPDATE SET "LastSequence" = event_streams."LastSequence" + {count}
            RETURNING "LastSequence" AS "Value"
            """).ToListAsync(cancellationToken)).Single();

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_reserved.Values.Any(r => r.Next <= r.Last))
            throw new InvalidOperationException("Sequence numbers were reserved and not used: committing would leave a gap in the stream.");
        await _db.SaveChangesAsync(cancellationToken);
        if (_transaction is not null)
            await _transaction.CommitAsync(cancellationToken);
        _bus.Publish(_appended);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_transaction is not null)
                await _transaction.DisposeAsync();
        }
        finally
        {
            _release?.Dispose();
        }
    }
}

/// <summary>Receives events after their transaction committed (the gateway's fan-out, tests).</summary>
public interface IEventSubscriber
{
    /// <summary>Called on the committing request's thread: hand the events off, do not do slow work here.</summary>
    void OnCommitted(IReadOnlyList<EventLogEntry> events);
}

/// <summary>The one internal publisher: every committed event passes through here to every subscriber.</summary>
public sealed class EventBus(IEnumerable<IEventSubscriber> subscribers, ILogger<EventBus> logger)
{
    private readonly IEventSubscriber[] _subscribers = subscribers.ToArray();

    public void Publish(IReadOnlyList<EventLogEntry> events)
    {
        if (events.Count == 0)
            return;
        foreach (var subscriber in _subscribers)
        {
            try
            {
                subscriber.OnCommitted(events);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The change is committed and logged; a failing subscriber must not turn it into an error.
                // Clients that missed the push resume from the log.
                logger.LogError(e, "Event subscriber {Subscriber} failed", subscriber.GetType().Name);
            }
        }
    }
}

public static class EventExtensions
{
    public static IHostApplicationBuilder AddEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EventBus>();
        builder.Services.AddSingleton<WriteGate>();
        builder.Services.AddScoped<EventLog>();
        return builder;
    }
}
