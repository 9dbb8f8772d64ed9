using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.ReadStates;
using KamaChat.Server.Features.Servers;

namespace KamaChat.Tests.Events;

/// <summary>
/// The wire format of logged events: the expected JSON below was captured from the payloads the features logged before
/// events became records (DTOs, per-event records and anonymous objects), so clients and stored rows see no change.
/// </summary>
public sealed class EventPayloadTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 5, 6, 7, 123, TimeSpan.Zero);

    private static readonly Snowflake RoleId = new(11), ServerId = new(22), ChannelId = new(33), UserId = new(44), MessageId = new(55), SessionId = new(66);

    private static readonly (string Type, string Json, string ExpectedType, string ExpectedJson)[] Samples =
    [
        Sample("RoleUpdated", new RoleUpdated(ServerId, new RoleResponse(RoleId, ServerId, "mods", "1024", 255, 3, true, true)),
            """{"id":"11","serverId":"22","name":"mods","permissions":"1024","color":255,"position":3,"mentionable":true,"hoist":true}"""),
        Sample("ChannelDeleted", new ChannelDeleted(ServerId, ChannelId), """{"id":"33","serverId":"22"}"""),
        Sample("ServerDeleted", new ServerDeleted(ServerId), """{"serverId":"22"}"""),
        Sample("ServerRemoved", new ServerRemoved(UserId, ServerId, "kicked"), """{"serverId":"22","reason":"kicked"}"""),
        Sample("ServerRemoved", new ServerRemoved(UserId, ServerId, "kicked", "Home", "spam"),
            """{"serverId":"22","reason":"kicked","serverName":"Home","moderatorReason":"spam"}"""),
        Sample("MemberLeft", new MemberLeft(ServerId, UserId, "banned"), """{"serverId":"22","userId":"44","reason":"banned"}"""),
        Sample("MemberLeft", new MemberLeft(ServerId, UserId, Reason: null), """{"serverId":"22","userId":"44"}"""),
        Sample("BanAdded", new BanAdded(ServerId, UserId), """{"serverId":"22","userId":"44"}"""),
        Sample("BanRemoved", new BanRemoved(ServerId, UserId), """{"serverId":"22","userId":"44"}"""),
        Sample("InviteDeleted", new InviteDeleted(ServerId, "abc"), """{"serverId":"22","code":"abc"}"""),
        Sample("RoleDeleted", new RoleDeleted(ServerId, RoleId), """{"serverId":"22","roleId":"11"}"""),
        Sample("MessageDeleted", new MessageDeleted(ChannelId, MessageId), """{"id":"55","channelId":"33"}"""),
        Sample("ReactionAdded", new ReactionAdded(ChannelId, MessageId, "👍", UserId), """{"messageId":"55","channelId":"33","emoji":"\uD83D\uDC4D","userId":"44"}"""),
        Sample("ReactionRemoved", new ReactionRemoved(ChannelId, MessageId, "👍", UserId), """{"messageId":"55","channelId":"33","emoji":"\uD83D\uDC4D","userId":"44"}"""),
        Sample("MessagePinned", new MessagePinned(ChannelId, MessageId, At), """{"messageId":"55","channelId":"33","pinnedAt":"2025-03-04T05:06:07.123+00:00"}"""),
        Sample("MessageUnpinned", new MessageUnpinned(ChannelId, MessageId), """{"messageId":"55","channelId":"33","pinnedAt":null}"""),
        Sample("DmChannelRemoved", new DmChannelRemoved(UserId, ChannelId), """{"id":"33"}"""),
        Sample("RecipientAdded", new RecipientAdded(ChannelId, new UserSummary(UserId, "ada", "Ada", null)),
            """{"channelId":"33","user":{"id":"44","username":"ada","displayName":"Ada","avatarUrl":null}}"""),
        Sample("RecipientRemoved", new RecipientRemoved(ChannelId, new UserSummary(UserId, "ada", "Ada", null)),
            """{"channelId":"33","user":{"id":"44","username":"ada","displayName":"Ada","avatarUrl":null}}"""),
        Sample("SessionRevoked", new SessionRevoked(UserId, SessionId, "logout"), """{"sessionId":"66","reason":"logout"}"""),
        Sample("MemberUpdated", new MemberUpdated(ServerId, new MemberResponse(ServerId, UserId, "ada", null, null, "Addy", [RoleId], At, false)),
            """{"serverId":"22","userId":"44","username":"ada","displayName":null,"avatarUrl":null,"nickname":"Addy","roles":["11"],"joinedAt":"2025-03-04T05:06:07.123+00:00","temporary":false,"timedOutUntil":null}"""),
        Sample("ReadStateUpdated", new ReadStateUpdated(UserId, new ReadStateResponse(ChannelId, MessageId, 2)), """{"channelId":"33","lastReadMessageId":"55","mentionCount":2}"""),
        Sample("ServerUpdated", new ServerUpdated(ServerId, new ServerResponse(ServerId, "Home", null, null, UserId, 3, At)),
            """{"id":"22","name":"Home","description":null,"iconUrl":null,"ownerId":"44","memberCount":3,"createdAt":"2025-03-04T05:06:07.123+00:00","systemChannelId":null,"bannerUrl":null}"""),
    ];

    [Fact]
    public void An_event_is_logged_under_the_same_name_with_the_same_JSON_as_before()
    {
        Assert.All(Samples, sample =>
        {
            Assert.Equal(sample.ExpectedType, sample.Type);
            Assert.Equal(sample.ExpectedJson, sample.Json);
        });
    }

    [Fact]
    public void Each_event_goes_to_the_stream_its_scope_interface_names()
    {
        Assert.Equal(new EventStream(EventScope.Server, ServerId), StreamOf(new RoleDeleted(ServerId, RoleId)));
        Assert.Equal(new EventStream(EventScope.Channel, ChannelId), StreamOf(new MessageDeleted(ChannelId, MessageId)));
        Assert.Equal(new EventStream(EventScope.User, UserId), StreamOf(new SessionRevoked(UserId, SessionId, "logout")));
        Assert.Equal(new EventStream(EventScope.User, UserId), StreamOf(new ServerRemoved(UserId, ServerId, "left")));
    }

    [Fact]
    public void The_gateway_reads_the_affected_user_and_the_ended_session_from_the_logged_data()
    {
        var memberUpdated = EventCatalog.Find(MemberUpdated.Type)!;
        var member = new MemberResponse(ServerId, UserId, "ada", null, null, null, [], At, false);
        Assert.Equal(UserId, memberUpdated.AffectedUser(EventLog.Serialize(new MemberUpdated(ServerId, member))));
        Assert.Null(memberUpdated.EndedSession(EventLog.Serialize(new MemberUpdated(ServerId, member))));

        var revoked = EventCatalog.Find(SessionRevoked.Type)!;
        Assert.Equal(SessionId, revoked.EndedSession(EventLog.Serialize(new SessionRevoked(UserId, SessionId, "logout"))));
        Assert.Null(EventCatalog.Find(RoleUpdated.Type)!.AffectedUser("""{"userId":"44"}"""));
    }

    [Fact]
    public void The_catalogue_knows_each_event_by_its_record_and_marks_what_it_means_to_the_gateway()
    {
        Assert.Equal(typeof(RoleUpdated), EventCatalog.Find("RoleUpdated")?.Record);
        Assert.Null(EventCatalog.Find("Test"));
        Assert.Equal(
            ["ChannelCreated", "ChannelDeleted", "ChannelUpdated", "MemberUpdated", "RoleCreated", "RoleDeleted", "RoleUpdated", "ServerDeleted"],
            EventCatalog.All.Where(e => e.Is<IChangesServerVisibility>()).Select(e => e.Name));
        Assert.Equal(
            ["DmChannelCreated", "DmChannelRemoved", "RelationshipRemoved", "RelationshipUpdated", "ServerJoined", "ServerRemoved"],
            EventCatalog.All.Where(e => e.Is<IChangesMemberships>()).Select(e => e.Name));
        Assert.Equal(["RecipientAdded", "RecipientRemoved"], EventCatalog.All.Where(e => e.Is<IChangesChannelRecipients>()).Select(e => e.Name));
    }

    private static EventStream StreamOf(IEvent @event) => @event.Stream;

    private static (string, string, string, string) Sample<TEvent>(string expectedType, TEvent @event, string expectedJson)
        where TEvent : IEvent =>
        (TEvent.Type, EventLog.Serialize(@event), expectedType, expectedJson);
}
