using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Users;
using KamaChat.Tests.Attachments;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;

namespace KamaChat.Tests.ProfileImages;

/// <summary>
/// A changed avatar or name reaches, live, everyone who shows it — members of a shared server, the other side of a DM,
/// the user's own other devices — and nobody else.
/// </summary>
[Collection("libvips")]
public abstract class ProfileBroadcastTests(KamaChatApp app, MediaSamples samples) : IClassFixture<MediaSamples>
{
    [Fact]
    public async Task A_new_avatar_or_name_reaches_server_members_dm_partners_and_my_other_devices_but_no_stranger()
    {
        var alice = await app.UserAsync();
        var member = await app.UserAsync();
        var partner = await app.UserAsync();
        var stranger = await app.UserAsync();
        // The stranger is in a server of their own with someone else: connected, in groups, just none of alice's.
        var other = await app.UserAsync();
        await GatewaySeed.ServerWithChannelAsync(app, alice.Id, member.Id);
        await GatewaySeed.ServerWithChannelAsync(app, stranger.Id, other.Id);
        await DmAsync(alice.Id, partner.Id);

        await using var memberClient = await ReadyAsync(member);
        await using var partnerClient = await ReadyAsync(partner);
        await using var strangerClient = await ReadyAsync(stranger);
        await using var otherClient = await ReadyAsync(other);
        await using var aliceLaptop = await ReadyAsync(alice);

        using var body = new ByteArrayContent(await File.ReadAllBytesAsync(samples.Image($"live-{Guid.NewGuid():N}.png", 200, 200)));
        var me = await (await alice.Client.PutAsync("/api/v1/users/@me/avatar", body)).ReadAsync<MeResponse>();
        Assert.NotNull(me.AvatarUrl);

        foreach (var client in new[] { memberClient, partnerClient, aliceLaptop })
        {
            var seen = await client.WaitForAsync(client.Profiles, p => p.Id == alice.Id && p.AvatarUrl == me.AvatarUrl);
            Assert.Equal(alice.Username, seen.Username);
        }

        var renamed = await alice.Client.PatchAsJsonAsync("/api/v1/users/@me", new { displayName = "Alice Live" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        await memberClient.WaitForAsync(memberClient.Profiles, p => p.Id == alice.Id && p.DisplayName == "Alice Live" && p.AvatarUrl == me.AvatarUrl);
        await partnerClient.WaitForAsync(partnerClient.Profiles, p => p.Id == alice.Id && p.DisplayName == "Alice Live");

        // The stranger's own change reaches the member of their server: sent after alice's, so alice's would have
        // reached the stranger by now if it were going to.
        await stranger.Client.PatchAsJsonAsync("/api/v1/users/@me", new { displayName = "Someone Else" });
        await otherClient.WaitForAsync(otherClient.Profiles, p => p.Id == stranger.Id && p.DisplayName == "Someone Else");
        await GatewayClient.SettleAsync();
        Assert.DoesNotContain(strangerClient.Profiles, p => p.Id == alice.Id);
        Assert.DoesNotContain(memberClient.Profiles, p => p.Id == stranger.Id);
    }

    [Fact]
    public async Task Saving_a_profile_that_changes_nothing_others_show_sends_nothing()
    {
        var alice = await app.UserAsync();
        var member = await app.UserAsync();
        await GatewaySeed.ServerWithChannelAsync(app, alice.Id, member.Id);
        await using var memberClient = await ReadyAsync(member);

        await alice.Client.PatchAsJsonAsync("/api/v1/users/@me", new { bio = "only my bio" });
        await alice.Client.DeleteAsync("/api/v1/users/@me/avatar"); // had none
        await alice.Client.PatchAsJsonAsync("/api/v1/users/@me", new { displayName = "Now a name" });

        // The name change arrives, and it is the only one that did.
        await memberClient.WaitForAsync(memberClient.Profiles, p => p.Id == alice.Id && p.DisplayName == "Now a name");
        await GatewayClient.SettleAsync();
        Assert.Single(memberClient.Profiles, p => p.Id == alice.Id);
    }

    private async Task<GatewayClient> ReadyAsync(TestUser user)
    {
        var client = await GatewayClient.ConnectAsync(app, user.Tokens.AccessToken);
        await client.ReadyAsync();
        return client;
    }

    private Task<int> DmAsync(Snowflake a, Snowflake b) => app.QueryAsync(async db =>
    {
        var id = GatewaySeed.NewId();
        db.Channels.Add(new Channel { Id = id, Type = ChannelType.Dm, CreatedAt = DateTimeOffset.UtcNow });
        foreach (var userId in new[] { a, b })
            db.ChannelRecipients.Add(new ChannelRecipient { ChannelId = id, UserId = userId, JoinedAt = DateTimeOffset.UtcNow });
        return await db.SaveChangesAsync();
    });
}

public sealed class SqliteProfileBroadcastTests(UploadSqliteApp app, MediaSamples samples)
    : ProfileBroadcastTests(app, samples), IClassFixture<UploadSqliteApp>;

public sealed class PostgresProfileBroadcastTests(UploadPostgresApp app, MediaSamples samples)
    : ProfileBroadcastTests(app, samples), IClassFixture<UploadPostgresApp>;
