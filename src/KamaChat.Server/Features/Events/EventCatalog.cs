using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;

namespace KamaChat.Server.Features.Events;

/// <summary>What is known about one kind of event from its record type: name, stream, data shape and what it means to the gateway.</summary>
public sealed record EventType
{
    public required string Name { get; init; }

    public required Type Record { get; init; }

    public required Type DataType { get; init; }

    public required EventScope Scope { get; init; }

    /// <summary>The user whose groups the event changes (<see cref="IAffectsUser{TData}"/>), read from its logged data; null for other events.</summary>
    public Func<string, Snowflake?> AffectedUser { get; private init; } = _ => null;

    /// <summary>The session the event ends (<see cref="IEndsSession{TData}"/>), read from its logged data; null for other events.</summary>
    public Func<string, Snowflake?> EndedSession { get; private init; } = _ => null;

    /// <summary>The channel the event describes (<see cref="IAboutChannel{TData}"/>), read from its logged data; null for other events.</summary>
    public Func<string, Snowflake?> AboutChannel { get; private init; } = _ => null;

    public bool Is<TMarker>() => typeof(TMarker).IsAssignableFrom(Record);

    internal static EventType Describe<TEvent, TData>()
        where TEvent : IEvent<TData>
        where TData : notnull
    {
        var type = new EventType
        {
            Name = TEvent.Type,
            Record = typeof(TEvent),
            DataType = typeof(TData),
            Scope = ScopeOf(typeof(TEvent)),
        };
        if (typeof(IAffectsUser<TData>).IsAssignableFrom(typeof(TEvent)))
            type = Invoke<EventType>(nameof(WithAffectedUser), [typeof(TEvent), typeof(TData)], type);
        if (typeof(IEndsSession<TData>).IsAssignableFrom(typeof(TEvent)))
            type = Invoke<EventType>(nameof(WithEndedSession), [typeof(TEvent), typeof(TData)], type);
        if (typeof(IAboutChannel<TData>).IsAssignableFrom(typeof(TEvent)))
            type = Invoke<EventType>(nameof(WithAboutChannel), [typeof(TEvent), typeof(TData)], type);
        return type;
    }

    private static EventType WithAffectedUser<TEvent, TData>(EventType type)
        where TEvent : IAffectsUser<TData> =>
        type with { AffectedUser = json => Read<TData>(json) is { } data ? TEvent.AffectedUserId(data) : null };

    private static EventType WithEndedSession<TEvent, TData>(EventType type)
        where TEvent : IEndsSession<TData> =>
        type with { EndedSession = json => Read<TData>(json) is { } data ? TEvent.EndedSessionId(data) : null };

    private static EventType WithAboutChannel<TEvent, TData>(EventType type)
        where TEvent : IAboutChannel<TData> =>
        type with { AboutChannel = json => Read<TData>(json) is { } data ? TEvent.AboutChannelId(data) : null };

    private static TData? Read<TData>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TData>(json, EventLog.PayloadJson);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static EventScope ScopeOf(Type record)
    {
        var scopes = record.GetInterfaces().Where(i => i.IsGenericType).Select(i => i.GetGenericTypeDefinition()).Select(d =>
            d == typeof(IChannelEvent<>) ? EventScope.Channel
            : d == typeof(IServerEvent<>) ? EventScope.Server
            : d == typeof(IUserEvent<>) ? (EventScope?)EventScope.User
            : null).OfType<EventScope>().Distinct().ToList();
        return scopes.Count == 1
            ? scopes[0]
            : throw new InvalidOperationException($"{record.Name} must implement exactly one of IChannelEvent<>, IServerEvent<> or IUserEvent<>.");
    }

    internal static T Invoke<T>(string method, Type[] typeArguments, params object?[] arguments) =>
        (T)typeof(EventType).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeArguments).Invoke(null, arguments)!;
}

/// <summary>
/// Every event record in the server, by name. The gateway reads a logged row's meaning from here (a row may come from
/// another node, so there is no instance to ask), and the OpenAPI document publishes each one's data shape.
/// </summary>
public static class EventCatalog
{
    public static IReadOnlyList<EventType> All { get; } = Discover();

    private static readonly FrozenDictionary<string, EventType> ByName = All.ToFrozenDictionary(e => e.Name, StringComparer.Ordinal);

    /// <summary>The event type a logged row names, or null for a name this server does not define.</summary>
    public static EventType? Find(string name) => ByName.GetValueOrDefault(name);

    private static List<EventType> Discover()
    {
        var types = typeof(IEvent).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IEvent).IsAssignableFrom(t))
            .Select(t =>
            {
                var data = t.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEvent<>)).ToList();
                if (data.Count != 1)
                    throw new InvalidOperationException($"{t.Name} must implement IEvent<TData> for exactly one TData.");
                return EventType.Invoke<EventType>(nameof(EventType.Describe), [t, data[0].GetGenericArguments()[0]]);
            })
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var type in types)
            Validate(type);
        if (types.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            throw new InvalidOperationException($"Two event records are named {duplicate.Key}: {string.Join(", ", duplicate.Select(t => t.Record.Name))}.");
        return types;
    }

    private static void Validate(EventType type)
    {
        // The gateway looks for each marker on the one stream kind where it means something.
        (Type Marker, EventScope Scope)[] markers =
            [(typeof(IChangesServerVisibility), EventScope.Server), (typeof(IChangesMemberships), EventScope.User), (typeof(IChangesChannelRecipients), EventScope.Channel)];
        foreach (var (marker, scope) in markers)
            if (marker.IsAssignableFrom(type.Record) && type.Scope != scope)
                throw new InvalidOperationException($"{type.Record.Name} is a {type.Scope} event; {marker.Name} applies to {scope} events only.");
    }
}
