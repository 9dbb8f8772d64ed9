using System.Text.Json;
using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage;

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
public sealed class EventLog(KamaDbContext db, SnowflakeGenerator ids, TimeProvider time, EventBus bus)
{
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>The event's data as it is logged and sent: its JSON, by the data's own shape.</summary>
    internal static string Serialize(IEvent @event) => JsonSerializer.Serialize(@event.Data, @event.Data.GetType(), PayloadJson);

    public async Task<EventTransaction> BeginAsync(CancellationToken cancellationToken) =>
        new(db, ids, time, bus, db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null);
}

public sealed class EventTransaction : IAsyncDisposable
{
    private readonly KamaDbContext _db;
    private readonly SnowflakeGenerator _ids;
    private readonly TimeProvider _time;
    private readonly EventBus _bus;
    private readonly IDbContextTransaction? _transaction;
    private readonly List<EventLogEntry> _appended = [];

    internal EventTransaction(KamaDbContext db, SnowflakeGenerator ids, TimeProvider time, EventBus bus, IDbContextTransaction? transaction)
    {
        (_db, _ids, _time, _bus, _transaction) = (db, ids, time, bus, transaction);
    }

    /// <summary>Takes the event's stream's next sequence number (locking the stream until commit, which keeps events in order) and logs the event.</summary>
    public Task<EventLogEntry> AppendAsync<TEvent>(TEvent @event, CancellationToken cancellationToken)
        where TEvent : IEvent =>
        AppendWithSequenceAsync(@event.Stream, _ => @event, cancellationToken);

    /// <summary>Like <see cref="AppendAsync{TEvent}"/>, for an event that carries its own sequence number (a new message): made once the number is known.</summary>
    public async Task<EventLogEntry> AppendWithSequenceAsync<TEvent>(EventStream stream, Func<long, TEvent> create, CancellationToken cancellationToken)
        where TEvent : IEvent
    {
        // One statement on both providers: create the stream at 1 or bump it, and read the new value.
        var sequence = (await _db.Database.SqlQuery<long>($"""
            INSERT INTO event_streams ("Scope", "ScopeId", "LastSequence") VALUES ({(int)stream.Scope}, {stream.Id.Value}, 1)
            ON CONFLICT ("Scope", "ScopeId") DO UPDATE SET "LastSequence" = event_streams."LastSequence" + 1
            RETURNING "LastSequence" AS "Value"
            """).ToListAsync(cancellationToken)).Single();

        var @event = create(sequence);
        if (@event.Stream != stream)
            throw new InvalidOperationException($"{TEvent.Type} belongs to {@event.Stream}, not to {stream} whose sequence it took.");
        var entry = new EventLogEntry
        {
            Id = _ids.NextId(),
            Scope = stream.Scope,
            ScopeId = stream.Id,
            Sequence = sequence,
            Type = TEvent.Type,
            Payload = EventLog.Serialize(@event),
            CreatedAt = _time.GetUtcNow(),
        };
        _db.Add(entry);
        _appended.Add(entry);
        return entry;
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _db.SaveChangesAsync(cancellationToken);
        if (_transaction is not null)
            await _transaction.CommitAsync(cancellationToken);
        _bus.Publish(_appended);
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
            await _transaction.DisposeAsync();
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
        builder.Services.AddScoped<EventLog>();
        return builder;
    }
}
