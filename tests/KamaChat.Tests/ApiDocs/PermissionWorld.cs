using System.Net;
using System.Net.Http.Json;
using System.Text;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Attachments;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.ApiDocs;

/// <summary>The owner's world for PermissionWalkTests, and those who must not see all of it.</summary>
internal sealed record PermissionWorld(
    TestUser Owner, TestUser Member, TestUser Moderator, TestUser Stranger, TestUser Friend, TestUser Friend2,
    Snowflake ServerId, Snowflake RoleId, string InviteCode, string ServerName, Snowflake OwnerSessionId,
    IReadOnlyDictionary<string, PermissionPlace> Places)
{
    public const string ServerMarker = "zqsrvmark";
    public const string PrivateMarker = "zqprivmark";
    public const string DmMarker = "zqdmmark";

    /// <summary>What must never reach <paramref name="actor"/>: the markers and ids of the places they cannot see.</summary>
    public IEnumerable<string> HiddenFrom(TestUser actor)
    {
        var places = actor == Stranger ? Places.Values : Places.Values.Where(p => p.Marker != ServerMarker);
        return places.SelectMany(p => p.Secrets).Append(PrivateMarker).Append(DmMarker)
            .Concat(actor == Stranger ? [ServerMarker] : []).Distinct();
    }

    public static async Task<PermissionWorld> CreateAsync(KamaChatApp app)
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var moderator = await app.UserAsync();
        var stranger = await app.UserAsync();
        var friend = await app.UserAsync();
        var friend2 = await app.UserAsync();
        var serverName = $"{ServerMarker} server";
        var server = await owner.CreateServerAsync(serverName);
        foreach (var user in new[] { member, moderator, friend, friend2 })
            await user.JoinAsync(owner, server.Id);
        var role = await owner.CreateRoleAsync(server.Id, $"{ServerMarker} role", 0);
        await owner.AssignRoleAsync(server.Id, member, role.Id);
        var moderators = await owner.CreateRoleAsync(server.Id, $"{ServerMarker} moderators", P.All & ~P.Administrator);
        await owner.AssignRoleAsync(server.Id, moderator, moderators.Id);
        var invite = await owner.InviteAsync(server.Id);

        var view = ((long)P.ViewChannel).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var publicChannel = await CreateChannelAsync(owner, server.Id, $"{ServerMarker}-public", null);
        var privateChannel = await CreateChannelAsync(owner, server.Id, $"{PrivateMarker}-private",
            [new { targetType = "role", targetId = server.Id, allow = "0", deny = view }]);
        var dm = await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = friend.Id }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);
        var group = await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { friend.Id, friend2.Id }, name = $"{DmMarker} group" }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created);

        var places = new Dictionary<string, PermissionPlace>();
        foreach (var (name, channelId, marker) in new[]
        {
            ("public", publicChannel, ServerMarker), ("private", privateChannel, PrivateMarker), ("dm", dm.Id, DmMarker), ("group", group.Id, DmMarker),
        })
            places[name] = await PermissionPlace.CreateAsync(app, owner, channelId, marker, [member, stranger]);
        // What the walk looks for is there to be found by one who may see it.
        foreach (var place in places.Values)
        {
            var messages = await (await owner.Client.GetAsync($"/api/v1/channels/{place.ChannelId}/messages")).Content.ReadAsStringAsync();
            Assert.Contains(place.Marker, messages, StringComparison.Ordinal);
            Assert.Contains(place.Secrets.Skip(6), key => messages.Contains(key, StringComparison.Ordinal));
        }
        var session = (await (await owner.Client.GetAsync("/api/v1/auth/sessions")).ReadAsync<List<SessionResponse>>())[0];
        return new PermissionWorld(owner, member, moderator, stranger, friend, friend2, server.Id, role.Id, invite.Code, serverName, session.Id, places);
    }

    /// <summary>The world's value for a path parameter, by what the segment before it names.</summary>
    public string RealValue(string method, string path, string name, PermissionPlace place, PermissionPlace things, TestUser actor)
    {
        var segments = path.Split('/');
        var before = segments[Array.IndexOf(segments, $"{{{name}}}") - 1];
        return (before, name) switch
        {
            (_, "emoji") => "👍",
            (_, "code") => InviteCode,
            (_, "targetType") => "role",
            (_, "targetId") => RoleId.ToString(),
            (_, "serverId") => ServerId.ToString(),
            (_, "channelId") => place.ChannelId.ToString(),
            (_, "attachmentId") => things.UploadId.ToString(),
            (_, "uploadId") => things.TusUploadId,
            ("sessions", _) => OwnerSessionId.ToString(),
            ("servers", _) => ServerId.ToString(),
            ("channels", _) => place.ChannelId.ToString(),
            ("messages", _) or ("pins", _) => things.MessageId.ToString(),
            ("roles", _) => RoleId.ToString(),
            // Adding oneself to someone's group DM is what a stranger would try; removing is of someone in it.
            ("recipients", _) => method == "PUT" ? actor.Id.ToString() : Friend.Id.ToString(),
            ("users", _) or ("members", _) or ("bans", _) or ("relationships", _) or ("reactions", _) or (_, "userId") => Owner.Id.ToString(),
            _ => throw new InvalidOperationException($"No value of the world for {name} in {path}."),
        };
    }

    /// <summary>The download URL of the file of a place's message, as its owner is given it.</summary>
    public async Task<string> FileUrlAsync(PermissionPlace place)
    {
        var message = await (await Owner.Client.GetAsync($"/api/v1/channels/{place.ChannelId}/messages/{place.MessageId}")).ReadAsync<MessageResponse>();
        return message.Attachments.Single().Url!;
    }

    private static async Task<Snowflake> CreateChannelAsync(TestUser owner, Snowflake serverId, string name, object[]? overwrites) =>
        (await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{serverId}/channels", new
        {
            name,
            type = "text",
            topic = $"{name} topic",
            slowModeSeconds = 0,
            permissionOverwrites = overwrites,
        })).ReadAsync<ChannelResponse>(HttpStatusCode.Created)).Id;
}

/// <summary>
/// A channel of the world with the owner's message in it (mentioning the member and the stranger, with a reaction, a
/// pin and a file ready to download), an upload not yet sent and a resumable upload under way.
/// </summary>
internal sealed record PermissionPlace(Snowflake ChannelId, Snowflake MessageId, Snowflake UploadId, string TusUploadId, string Marker, IReadOnlyList<string> Secrets)
{
    public static async Task<PermissionPlace> CreateAsync(KamaChatApp app, TestUser owner, Snowflake channelId, string marker, TestUser[] mentioned)
    {
        var file = await owner.Client.UploadOkAsync(channelId, $"{marker}-file.txt", Encoding.UTF8.GetBytes($"{marker} file"));
        var content = $"{marker} message " + string.Join(' ', mentioned.Select(u => $"<@{u.Id}>"));
        var message = await owner.Client.SendWithOkAsync(channelId, content, file.Id);
        Assert.True((await owner.Client.PutAsync(ChatApi.Reactions(channelId, message.Id, "👍") + "/@me", null)).IsSuccessStatusCode);
        Assert.True((await owner.Client.PutAsync($"/api/v1/channels/{channelId}/pins/{message.Id}", null)).IsSuccessStatusCode);
        var pending = await owner.Client.UploadOkAsync(channelId, $"{marker}-pending.txt", Encoding.UTF8.GetBytes($"{marker} pending"));
        using var tus = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{channelId}/attachments/tus");
        tus.Headers.Add("Tus-Resumable", "1.0.0");
        tus.Headers.Add("Upload-Length", "10");
        tus.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{marker}-tus.txt")));
        var created = await owner.Client.SendAsync(tus);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tusId = created.Headers.Location!.ToString().Split('/')[^1];

        // Processing is a job this app does not run: the file is made ready by hand, so its download URL is given out.
        var keys = await app.WriteDirectAsync(async db =>
        {
            var attachments = await db.Attachments.Where(a => a.ChannelId == channelId).ToListAsync();
            foreach (var attachment in attachments.Where(a => a.MessageId is not null))
                attachment.State = AttachmentState.Ready;
            await db.SaveChangesAsync();
            return attachments.Select(a => a.StorageKey).ToList();
        });
        return new PermissionPlace(channelId, message.Id, pending.Id, tusId, marker,
            [marker, channelId.ToString(), message.Id.ToString(), file.Id.ToString(), pending.Id.ToString(), tusId, .. keys]);
    }
}
