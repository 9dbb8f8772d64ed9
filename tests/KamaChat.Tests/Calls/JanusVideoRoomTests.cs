using System.Text.Json.Nodes;
using KamaChat.Server.Infrastructure.Janus;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KamaChat.Tests.Calls;

/// <summary>The server pointed at the voice lab's Janus and coturn, as an operator would with JANUS_URL and TURN_URLS.</summary>
public sealed class VoiceLabApp : KamaChatApp
{
    public VoiceLabInfo Lab { get; private set; } = null!;

    public override string ProviderName => "sqlite";

    public VideoRooms Rooms => Services.GetRequiredService<VideoRooms>();

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        Lab = await VoiceLab.StartedAsync();
        return Lab.ServerSettings.ToDictionary(s => s.Key, s => (string?)s.Value);
    }
}

/// <summary>
/// The server's Janus VideoRoom client against a real Janus 1.1 (in the voice lab's namespace): rooms with secrets only
/// the server knows, joins only with the server's single-use token, subscriptions only with a participant's private
/// id, kick, moderation, and publish restrictions. "A client" here is a Janus API session of the test's own, as if a
/// client had reached Janus's API: it can only do what the room's secrets, PIN and tokens let it.
/// </summary>
public sealed class JanusVideoRoomTests(VoiceLabApp app) : IClassFixture<VoiceLabApp>, IAsyncLifetime
{
    private static readonly string AudioVideoOffer = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Calls", "Sdp", "chromium-audio-video.sdp"));
    private static readonly string VideoOffer = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Calls", "Sdp", "chromium-video.sdp"));

    private readonly HttpClient _http = new();
    private readonly long _room = Random.Shared.NextInt64(1, long.MaxValue);
    private JanusSession _client = null!;
    private JanusHandle _clientHandle = null!;

    private VideoRoomSecrets Secrets => app.Services.GetRequiredService<VideoRoomSecrets>();

    public async Task InitializeAsync()
    {
        _client = await JanusSession.CreateAsync(_http, app.Lab.Janus, NullLogger.Instance, CancellationToken.None);
        _clientHandle = await _client.AttachAsync(JanusConnection.VideoRoomPlugin, CancellationToken.None);
        Assert.True(await app.Rooms.EnsureRoomAsync(_room, new VideoRoomSettings("voice channel"), CancellationToken.None));
    }

    [Fact]
    public async Task A_room_is_made_once_and_only_the_servers_secret_destroys_it()
    {
        Assert.False(await app.Rooms.EnsureRoomAsync(_room, new VideoRoomSettings("again"), CancellationToken.None));
        Assert.True(await app.Rooms.ExistsAsync(_room, CancellationToken.None));

        var wrongSecret = await Assert.ThrowsAsync<JanusException>(() => _clientHandle.RequestAsync(
            new JsonObject { ["request"] = "destroy", ["room"] = _room, ["secret"] = "guessed" }, CancellationToken.None));
        Assert.Equal(JanusException.RoomUnauthorized, wrongSecret.Code);
        Assert.True(await app.Rooms.ExistsAsync(_room, CancellationToken.None));

        Assert.True(await app.Rooms.DestroyAsync(_room, CancellationToken.None));
        Assert.False(await app.Rooms.ExistsAsync(_room, CancellationToken.None));
        Assert.False(await app.Rooms.DestroyAsync(_room, CancellationToken.None));
    }

    [Fact]
    public async Task Nobody_without_the_plugins_admin_key_can_make_a_room()
    {
        var refused = await Assert.ThrowsAsync<JanusException>(() => _clientHandle.RequestAsync(
            new JsonObject { ["request"] = "create", ["room"] = _room + 1 }, CancellationToken.None));
        Assert.Equal(429, refused.Code); // missing admin_key
        refused = await Assert.ThrowsAsync<JanusException>(() => _clientHandle.RequestAsync(
            new JsonObject { ["request"] = "create", ["room"] = _room + 1, ["admin_key"] = "guessed" }, CancellationToken.None));
        Assert.Equal(JanusException.RoomUnauthorized, refused.Code);
    }

    [Fact]
    public async Task Without_the_api_secret_Janus_answers_nothing()
    {
        var stranger = new JanusEndpoint(app.Lab.Janus.ApiUrl, "guessed", null);
        var refused = await Assert.ThrowsAsync<JanusException>(() => JanusSession.CreateAsync(_http, stranger, NullLogger.Instance, CancellationToken.None));
        Assert.Equal(JanusException.Unauthorized, refused.Code);
    }

    [Fact]
    public async Task A_join_needs_the_rooms_pin_and_a_token_the_server_added_and_a_token_works_once()
    {
        Task<JanusReply> Join(JsonObject extra)
        {
            var body = new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["room"] = _room, ["id"] = 7 };
            foreach (var (key, value) in extra)
                body[key] = value?.DeepClone();
            return _clientHandle.MessageAsync(body, null, CancellationToken.None);
        }

        var noPin = await Assert.ThrowsAsync<JanusException>(() => Join(new JsonObject { ["token"] = "t" }));
        Assert.Equal(429, noPin.Code); // missing pin
        var noToken = await Assert.ThrowsAsync<JanusException>(() => Join(new JsonObject { ["pin"] = Secrets.Pin(_room) }));
        Assert.Equal(JanusException.RoomUnauthorized, noToken.Code);
        var madeUp = await Assert.ThrowsAsync<JanusException>(() => Join(new JsonObject { ["pin"] = Secrets.Pin(_room), ["token"] = "made-up" }));
        Assert.Equal(JanusException.RoomUnauthorized, madeUp.Code);

        await app.Rooms.AllowAsync(_room, "let-in-once", CancellationToken.None);
        var joined = await Join(new JsonObject { ["pin"] = Secrets.Pin(_room), ["token"] = "let-in-once" });
        Assert.Equal("joined", joined.Data["videoroom"]!.GetValue<string>());
        await app.Rooms.RevokeAsync(_room, "let-in-once", CancellationToken.None);

        await using var second = await _client.AttachAsync(JanusConnection.VideoRoomPlugin, CancellationToken.None);
        var reused = await Assert.ThrowsAsync<JanusException>(() => second.MessageAsync(new JsonObject
        {
            ["request"] = "join", ["ptype"] = "publisher", ["room"] = _room, ["pin"] = Secrets.Pin(_room), ["token"] = "let-in-once",
        }, null, CancellationToken.None));
        Assert.Equal(JanusException.RoomUnauthorized, reused.Code);
    }

    [Fact]
    public async Task The_server_joins_participants_itself_each_id_once()
    {
        await using var alice = await app.Rooms.JoinAsync(_room, 1, "alice", MediaKinds.All, CancellationToken.None);
        Assert.NotEqual(0, alice.PrivateId);
        var participants = await app.Rooms.ListParticipantsAsync(_room, CancellationToken.None);
        Assert.Equal([1L], participants.Select(p => p.Id));
        Assert.Equal("alice", participants[0].Display);

        var twice = await Assert.ThrowsAsync<JanusException>(() => app.Rooms.JoinAsync(_room, 1, "alice again", MediaKinds.All, CancellationToken.None));
        Assert.Equal(JanusException.IdExists, twice.Code);
    }

    [Fact]
    public async Task Kick_removes_a_participant_and_tells_them_why()
    {
        await using var alice = await app.Rooms.JoinAsync(_room, 1, "alice", MediaKinds.All, CancellationToken.None);
        await using var bob = await app.Rooms.JoinAsync(_room, 2, "bob", MediaKinds.All, CancellationToken.None);

        Assert.True(await app.Rooms.KickAsync(_room, 2, CancellationToken.None));

        var kicked = await NextPluginEventAsync(bob.Events, e => e["leaving"] is not null);
        Assert.Equal("kicked", kicked["reason"]!.GetValue<string>());
        Assert.Equal([1L], (await app.Rooms.ListParticipantsAsync(_room, CancellationToken.None)).Select(p => p.Id));
        Assert.False(await app.Rooms.KickAsync(_room, 2, CancellationToken.None));
    }

    [Fact]
    public async Task An_offer_to_send_media_the_participant_may_not_publish_is_refused_before_Janus_sees_it()
    {
        await using var listener = await app.Rooms.JoinAsync(_room, 1, "listener", MediaKinds.Video, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<MediaNotAllowedException>(() => listener.PublishAsync(Jsep.Offer(AudioVideoOffer), CancellationToken.None));
        Assert.Equal(MediaKinds.Audio, refused.Refused);
        Assert.Empty(listener.Streams);

        var answer = await listener.PublishAsync(Jsep.Offer(VideoOffer), CancellationToken.None);
        Assert.Equal("answer", answer.Type);
        Assert.Contains("m=video", answer.Sdp, StringComparison.Ordinal);
        Assert.DoesNotContain("m=audio", answer.Sdp, StringComparison.Ordinal);
        Assert.Equal([new PublishedStream("0", MediaKinds.Video)], listener.Streams);
    }

    [Fact]
    public async Task Taking_a_kind_of_media_away_mutes_its_streams_at_Janus_and_giving_it_back_unmutes_them()
    {
        await using var speaker = await app.Rooms.JoinAsync(_room, 1, "speaker", MediaKinds.All, CancellationToken.None);
        await speaker.PublishAsync(Jsep.Offer(AudioVideoOffer), CancellationToken.None);
        Assert.Equal([MediaKinds.Audio, MediaKinds.Video], speaker.Streams.Select(s => s.Kind));

        await speaker.RestrictAsync(MediaKinds.Video, MediaKinds.None, CancellationToken.None);
        var muted = await NextPluginEventAsync(speaker.Events, e => e["moderation"] is not null);
        Assert.Equal(("0", "muted"), (muted["mid"]!.GetValue<string>(), muted["moderation"]!.GetValue<string>()));

        await speaker.RestrictAsync(MediaKinds.All, MediaKinds.None, CancellationToken.None);
        var unmuted = await NextPluginEventAsync(speaker.Events, e => e["moderation"] is not null);
        Assert.Equal(("0", "unmuted"), (unmuted["mid"]!.GetValue<string>(), unmuted["moderation"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Keep_alives_hold_a_session_past_Janus_session_timeout()
    {
        var connection = app.Services.GetRequiredService<JanusConnections>().ForRoom(_room);
        var session = await connection.SessionAsync(CancellationToken.None);
        await using var alice = await app.Rooms.JoinAsync(_room, 1, "alice", MediaKinds.All, CancellationToken.None);

        await Task.Delay(TimeSpan.FromSeconds(VoiceLab.JanusSessionTimeoutSeconds + 3));

        Assert.False(session.IsClosed);
        Assert.Same(session, await connection.SessionAsync(CancellationToken.None));
        Assert.Equal([1L], (await app.Rooms.ListParticipantsAsync(_room, CancellationToken.None)).Select(p => p.Id));
    }

    private static async Task<JsonObject> NextPluginEventAsync(System.Threading.Channels.ChannelReader<JanusEvent> events, Func<JsonObject, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await foreach (var e in events.ReadAllAsync(timeout.Token))
            if (e.Data is { } data && match(data))
                return data;
        throw new InvalidOperationException("The handle was detached before the event came.");
    }

    public async Task DisposeAsync()
    {
        await app.Rooms.DestroyAsync(_room, CancellationToken.None);
        await _client.DisposeAsync();
        _http.Dispose();
    }
}
