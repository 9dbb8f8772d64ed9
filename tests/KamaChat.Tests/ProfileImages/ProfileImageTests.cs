using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Tests.Attachments;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;
using Microsoft.Extensions.DependencyInjection;
using NetVips;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.ProfileImages;

/// <summary>Avatars and server icons uploaded through HTTP as the web client does, processed by real libvips, stored on disk or S3.</summary>
[Collection("libvips")]
public abstract class ProfileImageTests(KamaChatApp app, MediaSamples samples) : IClassFixture<MediaSamples>
{
    [Fact]
    public async Task An_avatar_is_cropped_where_asked_stripped_of_gps_and_served_at_64_128_and_512_to_anyone()
    {
        var user = await app.UserAsync();
        var photo = samples.RedLeftBlueRight($"avatar-{Guid.NewGuid():N}.jpg");
        MediaSamples.Run("exiftool", ["-overwrite_original", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", photo]);

        var me = await (await PutAvatarAsync(user, photo, "?x=200&y=0&size=200")).ReadAsync<MeResponse>();

        Assert.Matches("^/media/public/avatars/[0-9]+/[0-9a-f]{32}/128\\.webp$", me.AvatarUrl);
        var anonymous = app.CreateClient();
        foreach (var size in new[] { 64, 128, 512 })
        {
            using var response = await anonymous.GetAsync(me.AvatarUrl!.Replace("/128.webp", $"/{size}.webp", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("immutable", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            using var image = Image.NewFromBuffer(bytes);
            Assert.Equal((size, size), (image.Width, image.Height));
            // The crop took the right half of the photo, which is blue.
            Assert.True(image[2].Avg() > 200 && image[0].Avg() < 60, $"expected blue, got R {image[0].Avg()} B {image[2].Avg()}");
            var saved = samples.PathOf($"served-{Guid.NewGuid():N}.webp");
            await File.WriteAllBytesAsync(saved, bytes);
            Assert.DoesNotContain(MediaSamples.Tags(saved).Keys, tag => tag.StartsWith("GPS:", StringComparison.Ordinal));
        }
        var profile = await (await app.CreateClient(user.Tokens.AccessToken).GetAsync($"/api/v1/users/{user.Id}")).ReadAsync<UserProfileResponse>();
        Assert.Equal(me.AvatarUrl, profile.AvatarUrl);
    }

    [Fact]
    public async Task Without_a_crop_the_centre_square_is_used_and_an_animated_gif_stays_animated()
    {
        var user = await app.UserAsync();

        var me = await (await PutAvatarAsync(user, samples.AnimatedGif($"spin-{Guid.NewGuid():N}.gif", frames: 4), "")).ReadAsync<MeResponse>();

        var bytes = await app.CreateClient().GetByteArrayAsync(me.AvatarUrl);
        using var image = Image.NewFromBuffer(bytes, "n=-1");
        Assert.Equal((128, 4), (image.Width, image.Height / image.PageHeight));
    }

    [Fact]
    public async Task A_new_avatar_deletes_the_old_files_and_removing_it_deletes_the_new_ones()
    {
        var user = await app.UserAsync();
        var first = await (await PutAvatarAsync(user, samples.Image($"a-{Guid.NewGuid():N}.png", 300, 300), "")).ReadAsync<MeResponse>();
        var second = await (await PutAvatarAsync(user, samples.Image($"b-{Guid.NewGuid():N}.png", 300, 300), "")).ReadAsync<MeResponse>();
        Assert.NotEqual(first.AvatarUrl, second.AvatarUrl);

        await app.WaitUntilPictureGoneAsync(first.AvatarUrl!);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync(first.AvatarUrl)).StatusCode);
        Assert.True(await app.PictureStoredAsync(second.AvatarUrl!));

        var cleared = await (await user.Client.DeleteAsync("/api/v1/users/@me/avatar")).ReadAsync<MeResponse>();
        Assert.Null(cleared.AvatarUrl);
        await app.WaitUntilPictureGoneAsync(second.AvatarUrl!);
    }

    [Fact]
    public async Task Pictures_that_are_not_images_too_large_bombs_or_cropped_outside_are_refused_and_nothing_is_kept()
    {
        var html = samples.PathOf($"cat-{Guid.NewGuid():N}.jpg");
        await File.WriteAllTextAsync(html, "<html><script>alert(1)</script></html>");
        var big = samples.PathOf($"big-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(big, new byte[UploadLimits.MaxFileBytes + 1]);
        var small = samples.Image($"c-{Guid.NewGuid():N}.png", 100, 100);

        // One user each: the test app allows five uploads a minute per account.
        await RefusedAsync(html, "", HttpStatusCode.BadRequest, "not_an_image");
        await RefusedAsync(big, "", HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await RefusedAsync(Bomb(), "", HttpStatusCode.BadRequest, "too_many_pixels");
        await RefusedAsync(small, "?x=50&y=0&size=100", HttpStatusCode.BadRequest, "bad_crop");
        Assert.NotEmpty((await RefusedAsync(small, "?x=0", HttpStatusCode.BadRequest, "validation_failed")).FieldErrors("crop"));
        await RefusedAsync(null, "", HttpStatusCode.BadRequest, "empty_file");
    }

    /// <summary>Uploads as a new user, checks the problem, and that the user has no avatar and no stored files.</summary>
    private async Task<System.Text.Json.JsonElement> RefusedAsync(string? path, string query, HttpStatusCode status, string code)
    {
        var user = await app.UserAsync();
        var problem = await (path is null
            ? await user.Client.PutAsync("/api/v1/users/@me/avatar", new ByteArrayContent([]))
            : await PutAvatarAsync(user, path, query)).AssertProblemAsync(status, code);
        Assert.Null((await (await user.Client.GetAsync("/api/v1/users/@me")).ReadAsync<MeResponse>()).AvatarUrl);
        await foreach (var _ in app.Services.GetRequiredService<IMediaStorage>().ListAsync($"avatars/{user.Id}/"))
            Assert.Fail($"A picture refused with {code} left files in storage.");
        return problem;
    }

    [Fact]
    public async Task A_server_icon_needs_manage_server_and_a_stranger_gets_404()
    {
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var (serverId, _, owner) = await app.SeedServerWithChannelAsync(member);
        var icon = samples.Image($"icon-{Guid.NewGuid():N}.png", 256, 128);

        await (await PutIconAsync(stranger, serverId, icon)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await PutIconAsync(member, serverId, icon)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await app.SeedRoleAsync(serverId, Perms.ManageServer, member);
        var server = await (await PutIconAsync(member, serverId, icon)).ReadAsync<ServerResponse>();

        Assert.Matches($"^/media/public/icons/{serverId}/[0-9a-f]{{32}}/128\\.webp$", server.IconUrl);
        using var image = Image.NewFromBuffer(await app.CreateClient().GetByteArrayAsync(server.IconUrl));
        Assert.Equal((128, 128), (image.Width, image.Height));
        var seen = await (await owner.Client.GetAsync($"/api/v1/servers/{serverId}")).ReadAsync<ServerResponse>();
        Assert.Equal(server.IconUrl, seen.IconUrl);

        var removed = await (await member.Client.DeleteAsync($"/api/v1/servers/{serverId}/icon")).ReadAsync<ServerResponse>();
        Assert.Null(removed.IconUrl);
        await app.WaitUntilPictureGoneAsync(server.IconUrl!);
    }

    [Fact]
    public async Task Links_must_be_https_but_an_uploaded_avatar_may_be_sent_back_unchanged()
    {
        var user = await app.UserAsync();
        var me = await (await PutAvatarAsync(user, samples.Image($"e-{Guid.NewGuid():N}.png", 64, 64), "")).ReadAsync<MeResponse>();

        var http = await user.Client.PatchAsJsonAsync("/api/v1/users/@me", new { avatarUrl = "http://example.com/a.png" }, Api.Json);
        var unchanged = await user.Client.PatchAsJsonAsync("/api/v1/users/@me", new { avatarUrl = me.AvatarUrl, bio = "hi" }, Api.Json);
        var link = await user.Client.PatchAsJsonAsync("/api/v1/users/@me", new { avatarUrl = "https://example.com/a.png" }, Api.Json);

        Assert.NotEmpty((await http.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).FieldErrors("avatarUrl"));
        Assert.Equal(me.AvatarUrl, (await unchanged.ReadAsync<MeResponse>()).AvatarUrl);
        Assert.Equal("https://example.com/a.png", (await link.ReadAsync<MeResponse>()).AvatarUrl);
        await app.WaitUntilPictureGoneAsync(me.AvatarUrl!); // the uploaded one was replaced by the link
    }

    [Fact]
    public async Task Any_participant_uploads_a_group_dm_icon_each_change_leaves_a_line_and_replaced_files_go()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var outsider = await app.UserAsync();
        var group = (await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { member.Id } }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created)).Id;
        var dm = (await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = member.Id }))
            .ReadAsync<DmChannelResponse>(HttpStatusCode.Created)).Id;
        var picture = samples.Image($"group-{Guid.NewGuid():N}.png", 300, 200);

        await (await PutGroupIconAsync(outsider, group, picture)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await PutGroupIconAsync(owner, dm, picture)).AssertProblemAsync(HttpStatusCode.BadRequest, "not_group_dm");
        var first = await (await PutGroupIconAsync(member, group, picture)).ReadAsync<DmChannelResponse>();

        Assert.Matches($"^/media/public/group-icons/{group}/[0-9a-f]{{32}}/128\\.webp$", first.IconUrl);
        using (var image = Image.NewFromBuffer(await app.CreateClient().GetByteArrayAsync(first.IconUrl)))
            Assert.Equal((128, 128), (image.Width, image.Height));
        var listed = await (await owner.Client.GetAsync("/api/v1/users/@me/channels")).ReadAsync<List<DmChannelResponse>>();
        Assert.Equal(first.IconUrl, listed.Single(c => c.Id == group).IconUrl);

        // Sent back unchanged with a rename, the uploaded icon stays; another owner's picture is refused (replacing
        // it later would delete that owner's files).
        var renamed = await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { name = "Trip", iconUrl = first.IconUrl }))
            .ReadAsync<DmChannelResponse>();
        Assert.Equal(("Trip", first.IconUrl), (renamed.Name, renamed.IconUrl));
        var avatar = await (await PutAvatarAsync(member, samples.Image($"m-{Guid.NewGuid():N}.png", 64, 64), "")).ReadAsync<MeResponse>();
        Assert.NotEmpty((await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{group}/group", new { iconUrl = avatar.AvatarUrl }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).FieldErrors("iconUrl"));

        var second = await (await PutGroupIconAsync(owner, group, picture)).ReadAsync<DmChannelResponse>();
        await app.WaitUntilPictureGoneAsync(first.IconUrl!);
        Assert.True(await app.PictureStoredAsync(second.IconUrl!));
        Assert.True(await app.PictureStoredAsync(avatar.AvatarUrl!));
        var cleared = await (await member.Client.DeleteAsync($"/api/v1/channels/{group}/group/icon")).ReadAsync<DmChannelResponse>();
        Assert.Null(cleared.IconUrl);
        await app.WaitUntilPictureGoneAsync(second.IconUrl!);

        var lines = (await (await owner.Client.GetAsync($"/api/v1/channels/{group}/messages")).ReadAsync<List<MessageResponse>>())
            .OrderBy(m => m.Id).Select(m => (m.Kind, m.Author.Id)).ToList();
        Assert.Equal([("channelIconChanged", member.Id), ("channelNameChanged", owner.Id), ("channelIconChanged", owner.Id), ("channelIconChanged", member.Id)], lines);
    }

    private static async Task<HttpResponseMessage> PutGroupIconAsync(TestUser user, Snowflake channelId, string path)
    {
        using var body = new ByteArrayContent(await File.ReadAllBytesAsync(path));
        return await user.Client.PutAsync($"/api/v1/channels/{channelId}/group/icon", body);
    }

    private static async Task<HttpResponseMessage> PutAvatarAsync(TestUser user, string path, string query)
    {
        using var body = new ByteArrayContent(await File.ReadAllBytesAsync(path));
        return await user.Client.PutAsync("/api/v1/users/@me/avatar" + query, body);
    }

    private static async Task<HttpResponseMessage> PutIconAsync(TestUser user, Snowflake serverId, string path)
    {
        using var body = new ByteArrayContent(await File.ReadAllBytesAsync(path));
        return await user.Client.PutAsync($"/api/v1/servers/{serverId}/icon", body);
    }

    /// <summary>A PNG whose header declares 20,000 × 20,000 pixels (then junk): refused before any decoding.</summary>
    private string Bomb()
    {
        var path = samples.PathOf($"bomb-{Guid.NewGuid():N}.png");
        using (var image = Image.Black(8, 8))
            image.WriteToFile(path);
        var bytes = File.ReadAllBytes(path);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), 20_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 20_000);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

public sealed class SqliteProfileImageTests(UploadSqliteApp app, MediaSamples samples)
    : ProfileImageTests(app, samples), IClassFixture<UploadSqliteApp>;

public sealed class PostgresProfileImageTests(UploadPostgresApp app, MediaSamples samples)
    : ProfileImageTests(app, samples), IClassFixture<UploadPostgresApp>;
