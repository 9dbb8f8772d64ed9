using System.Net;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Features.Users;
using KamaChat.Tests.Attachments;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;
using NetVips;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.ProfileImages;

/// <summary>Profile and server banners: 5:2 crops through the same pipeline as avatars, real libvips, stored on disk or S3.</summary>
[Collection("libvips")]
public abstract class BannerTests(KamaChatApp app, MediaSamples samples) : IClassFixture<MediaSamples>
{
    [Fact]
    public async Task A_profile_banner_is_cropped_where_asked_at_5_2_without_gps_served_at_600_and_1200_and_replaced_files_go()
    {
        var user = await app.UserAsync();
        var viewer = await app.UserAsync();
        var photo = samples.RedLeftBlueRight($"banner-{Guid.NewGuid():N}.jpg");
        MediaSamples.Run("exiftool", ["-overwrite_original", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", photo]);

        // x 200, width 200: a 200 × 80 crop of the blue half.
        var me = await (await PutAsync(user, "/api/v1/users/@me/banner?x=200&y=60&size=200", photo)).ReadAsync<MeResponse>();

        Assert.Matches("^/media/public/banners/[0-9]+/[0-9a-f]{32}/600\\.webp$", me.BannerUrl);
        Assert.Null(me.AvatarUrl);
        var anonymous = app.CreateClient();
        foreach (var width in new[] { 600, 1200 })
        {
            var bytes = await anonymous.GetByteArrayAsync(me.BannerUrl!.Replace("/600.webp", $"/{width}.webp", StringComparison.Ordinal));
            using var image = Image.NewFromBuffer(bytes);
            Assert.Equal((width, width * 2 / 5), (image.Width, image.Height));
            Assert.True(image[2].Avg() > 200 && image[0].Avg() < 60, $"expected blue, got R {image[0].Avg()} B {image[2].Avg()}");
            var saved = samples.PathOf($"served-{Guid.NewGuid():N}.webp");
            await File.WriteAllBytesAsync(saved, bytes);
            Assert.DoesNotContain(MediaSamples.Tags(saved).Keys, tag => tag.StartsWith("GPS:", StringComparison.Ordinal));
        }
        var profile = await (await viewer.Client.GetAsync($"/api/v1/users/{user.Id}")).ReadAsync<UserProfileResponse>();
        Assert.Equal(me.BannerUrl, profile.BannerUrl);

        // Without a crop the centre 5:2 band is used; an animated GIF stays animated.
        var second = await (await PutAsync(user, "/api/v1/users/@me/banner", samples.AnimatedGif($"spin-{Guid.NewGuid():N}.gif", frames: 3)))
            .ReadAsync<MeResponse>();
        using (var animated = Image.NewFromBuffer(await anonymous.GetByteArrayAsync(second.BannerUrl), "n=-1"))
            Assert.Equal((600, 240, 3), (animated.Width, animated.PageHeight, animated.Height / animated.PageHeight));
        await app.WaitUntilPictureGoneAsync(me.BannerUrl!);

        var cleared = await (await user.Client.DeleteAsync("/api/v1/users/@me/banner")).ReadAsync<MeResponse>();
        Assert.Null(cleared.BannerUrl);
        await app.WaitUntilPictureGoneAsync(second.BannerUrl!);
    }

    [Fact]
    public async Task A_banner_that_is_not_an_image_too_large_or_cropped_outside_is_refused_and_nothing_is_kept()
    {
        var html = samples.PathOf($"cat-{Guid.NewGuid():N}.jpg");
        await File.WriteAllTextAsync(html, "<html><script>alert(1)</script></html>");
        var big = samples.PathOf($"big-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(big, new byte[UploadLimits.MaxFileBytes + 1]);
        // 500 wide and 100 high: a 400 wide crop would need 160 rows.
        var wide = samples.Image($"wide-{Guid.NewGuid():N}.png", 500, 100);

        foreach (var (path, query, status, code) in new[]
        {
            (html, "", HttpStatusCode.BadRequest, "not_an_image"),
            (big, "", HttpStatusCode.RequestEntityTooLarge, "payload_too_large"),
            (wide, "?x=0&y=0&size=400", HttpStatusCode.BadRequest, "bad_crop"),
        })
        {
            var user = await app.UserAsync();
            await (await PutAsync(user, "/api/v1/users/@me/banner" + query, path)).AssertProblemAsync(status, code);
            Assert.Null((await (await user.Client.GetAsync("/api/v1/users/@me")).ReadAsync<MeResponse>()).BannerUrl);
            Assert.False(await app.AnyStoredAsync($"banners/{user.Id}/"), $"A banner refused with {code} left files in storage.");
        }
    }

    [Fact]
    public async Task A_server_banner_needs_manage_server_a_stranger_gets_404_and_members_see_it()
    {
        var member = await app.UserAsync();
        var stranger = await app.UserAsync();
        var (serverId, _, owner) = await app.SeedServerWithChannelAsync(member);
        var picture = samples.Image($"server-banner-{Guid.NewGuid():N}.png", 500, 300);
        var path = $"/api/v1/servers/{serverId}/banner";

        await (await PutAsync(stranger, path, picture)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await PutAsync(member, path, picture)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        await (await stranger.Client.DeleteAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.False(await app.AnyStoredAsync($"server-banners/{serverId}/"));
        await app.SeedRoleAsync(serverId, Perms.ManageServer, member);
        var first = await (await PutAsync(member, path, picture)).ReadAsync<ServerResponse>();

        Assert.Matches($"^/media/public/server-banners/{serverId}/[0-9a-f]{{32}}/600\\.webp$", first.BannerUrl);
        using (var image = Image.NewFromBuffer(await app.CreateClient().GetByteArrayAsync(first.BannerUrl)))
            Assert.Equal((600, 240), (image.Width, image.Height));
        var seen = await (await owner.Client.GetAsync($"/api/v1/servers/{serverId}")).ReadAsync<ServerResponse>();
        Assert.Equal((first.BannerUrl, (string?)null), (seen.BannerUrl, seen.IconUrl));

        var second = await (await PutAsync(owner, path, picture)).ReadAsync<ServerResponse>();
        await app.WaitUntilPictureGoneAsync(first.BannerUrl!);
        Assert.True(await app.PictureStoredAsync(second.BannerUrl!));
        var removed = await (await member.Client.DeleteAsync(path)).ReadAsync<ServerResponse>();
        Assert.Null(removed.BannerUrl);
        await app.WaitUntilPictureGoneAsync(second.BannerUrl!);
    }

    private static async Task<HttpResponseMessage> PutAsync(TestUser user, string path, string file)
    {
        using var body = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        return await user.Client.PutAsync(path, body);
    }
}

public sealed class SqliteBannerTests(UploadSqliteApp app, MediaSamples samples)
    : BannerTests(app, samples), IClassFixture<UploadSqliteApp>;

public sealed class PostgresBannerTests(UploadPostgresApp app, MediaSamples samples)
    : BannerTests(app, samples), IClassFixture<UploadPostgresApp>;
