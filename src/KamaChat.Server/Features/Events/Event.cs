namespace KamaChat.Server.Features.Events;

/// <summary>One stream of the event log: a channel, a server or a user, each numbering its events from 1.</summary>
public readonly record struct EventStream(EventScope Scope, Snowflake Id);

/// <summary>
/// A change the gateway delivers, logged in the change's transaction (see <see cref="EventTransaction"/>). Implement it
/// through <see cref="IChannelEvent{TData}"/>, <see cref="IServerEvent{TData}"/> or <see cref="IUserEvent{TData}"/>, which
/// say whose stream it goes to; what clients receive as the event's <c>data</c> is <see cref="IEvent{TData}.Data"/>, serialized.
/// </summary>
public interface IEvent
{
    /// <summary>The stable name the event travels under; never reuse one for a different shape.</summary>
    static abstract string Type { get; }

    EventStream Stream { get; }

    object Data { get; }
}

public interface IEvent<out TData> : IEvent
    where TData : notnull
{
    new TData Data { get; }

    object IEvent.Data => Data;
}

/// <summary>An event for everyone who can see a channel (messages, reactions, pins, group DM recipients).</summary>
public interface IChannelEvent<out TData> : IEvent<TData>
    where TData : notnull
{
    Snowflake ChannelId { get; }

    EventStream IEvent.Stream => new(EventScope.Channel, ChannelId);
}

/// <summary>An event for every member of a server.</summary>
public interface IServerEvent<out TData> : IEvent<TData>
    where TData : notnull
{
    Snowflake ServerId { get; }

    EventStream IEvent.Stream => new(EventScope.Server, ServerId);
}

/// <summary>An event for one user, on all their devices.</summary>
public interface IUserEvent<out TData> : IEvent<TData>
    where TData : notnull
{
    Snowflake UserId { get; }

    EventStream IEvent.Stream => new(EventScope.User, UserId);
}

// What an event means to the gateway. Delivery happens on every node from the logged row, so the gateway learns these
// from the event's type (see EventCatalog), not from the instance that was appended.

/// <summary>A server event that changes who may see what in the server (channels, roles, overwrites): its members' groups are re-synced before it is delivered.</summary>
public interface IChangesServerVisibility;

/// <summary>A user event that changes the user's memberships (servers joined or left, DMs opened or closed, friends made or lost): their groups are re-synced first.</summary>
public interface IChangesMemberships;

/// <summary>A channel event that changes the channel's recipients (group DMs): the recipients' groups are re-synced first.</summary>
public interface IChangesChannelRecipients;

/// <summary>An event about one user whose access it changes, whose groups are re-synced too, even when the stream's group does not hold them.</summary>
public interface IAffectsUser<in TData>
{
    static abstract Snowflake AffectedUserId(TData data);
}

/// <summary>
/// A server event that describes one channel (its name, topic, overwrites). A server's stream reaches every member, but
/// only those who may view the channel get it as it is; to the others the gateway delivers it as ChannelDeleted: for
/// them the channel does not exist (and one they saw before the change goes away). See <see cref="Gateway.ChannelRedaction"/>.
/// </summary>
public interface IAboutChannel<in TData>
{
    static abstract Snowflake AboutChannelId(TData data);
}

/// <summary>A user event that ends one of the user's sessions: that session's connections are closed after it is delivered.</summary>
public interface IEndsSession<in TData>
{
    static abstract Snowflake EndedSessionId(TData data);
}
