using System.Net;
using KamaChat.Server.Features.LinkPreviews;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NetVips;

namespace KamaChat.Tests.LinkPreviews;

/// <summary>
/// A preview's picture, end to end: real JPEG, PNG and GIF bytes served by the loopback page server, fetched through the
/// guard, re-encoded by libvips, stored by the app's storage and read back through the signed URL the message carries.
/// </summary>
[Collection("libvips")]
public abstract class LinkPictureTests(KamaChatApp app, MediaSamples samples) : LoopbackPagesTests(app), IClassFixture<MediaSamples>
{
    [Fact]
    public async Task A_page_with_a_picture_gets_a_card_with_it_stored_here_without_its_gps_position()
    {
        var photo = samples.Image($"gps-{Guid.NewGuid():N}.jpg", 1200, 600);
        MediaSamples.Run("exiftool", ["-overwrite_original", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", photo]);
        Assert.Contains("GPS:GPSLatitude", MediaSamples.Tags(photo).Keys);
        var image = Pages.Serve("photo.jpg", await File.ReadAllBytesAsync(photo), "image/jpeg");
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();

        var message = await owner.Client.SendOkAsync(channelId, PageUrl("photo", image, "summary_large_image"));
        await Jobs.WaitForAsync(1);

        var embed = Assert.Single((await LoadAsync(owner, channelId, message.Id)).Embeds);
        var picture = Assert.IsType<EmbedImage>(embed.Image);
        // Scaled to fit 800×800, the aspect kept; served from here, never from the page's site.
        Assert.Equal((800, 400, true), (picture.Width, picture.Height, picture.Large));
        Assert.StartsWith(MediaUrlSigner.BasePath, picture.Url, StringComparison.Ordinal);
        var response = await owner.Client.GetAsync(picture.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
        var stored = samples.PathOf($"stored-{Guid.NewGuid():N}.webp");
        await File.WriteAllBytesAsync(stored, await response.Content.ReadAsByteArrayAsync());
        using (var decoded = Image.NewFromFile(stored))
            Assert.Equal((800, 400), (decoded.Width, decoded.Height));
        Assert.DoesNotContain(MediaSamples.Tags(stored).Keys, tag => tag.StartsWith("GPS:", StringComparison.Ordinal) || tag.StartsWith("EXIF:", StringComparison.Ordinal));
        Assert.Equal(1, Pages.Paths.Count(p => p == "/files/photo.jpg"));
    }

    [Fact]
    public async Task A_picture_behind_a_redirect_to_the_metadata_address_or_on_ipv6_loopback_is_never_requested()
    {
        var png = await File.ReadAllBytesAsync(samples.Image($"v6-{Guid.NewGuid():N}.png", 64, 64));
        Pages.Serve("v6.png", png, "image/png");
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        var toMetadata = Pages.Url("redirect?to=" + Uri.EscapeDataString("http://169.254.169.254/latest/meta-data/picture.png"));
        // The page server answers on [::1] too, but the app allows only 127.0.0.0/8.
        var onV6 = new Uri(Pages.V6BaseAddress, "files/v6.png").AbsoluteUri;

        var message = await owner.Client.SendOkAsync(channelId, $"{PageUrl("metadata", toMetadata)} {PageUrl("v6", onV6)}");
        await Jobs.WaitForAsync(1);

        var embeds = (await LoadAsync(owner, channelId, message.Id)).Embeds;
        Assert.Equal(["Title of metadata & co", "Title of v6 & co"], embeds.Select(e => e.Title));
        Assert.All(embeds, e => Assert.Null(e.Image));
        Assert.Contains(Pages.Paths, p => p.StartsWith("/redirect", StringComparison.Ordinal));
        Assert.Empty(Pages.V6Requests);
    }

    [Fact]
    public async Task Not_an_image_too_many_bytes_or_too_many_pixels_give_a_card_without_a_picture()
    {
        var small = await File.ReadAllBytesAsync(samples.Image($"small-{Guid.NewGuid():N}.png", 32, 32));
        var html = Pages.Serve("page-as-png.png", "<html><body>not a picture</body></html>"u8.ToArray(), "image/png");
        var typed = Pages.Serve("png-as-html.html", small, "text/html");
        // A real PNG with 11 MiB after its end: too big, whatever it decodes to.
        var heavy = Pages.Serve("heavy.png", [.. small, .. new byte[11 * 1024 * 1024]], "image/png");
        var huge = samples.PathOf($"huge-{Guid.NewGuid():N}.png");
        using (var black = Image.Black(7000, 7000))
            black.WriteToFile(huge + "[keep=none]");
        var bomb = Pages.Serve("huge.png", await File.ReadAllBytesAsync(huge), "image/png"); // 49 Mpx in a small file
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();

        var first = await owner.Client.SendOkAsync(channelId, $"{PageUrl("html", html)} {PageUrl("typed", typed)} {PageUrl("heavy", heavy)}");
        var second = await owner.Client.SendOkAsync(channelId, PageUrl("bomb", bomb));
        await Jobs.WaitForAsync(2);

        var embeds = (await LoadAsync(owner, channelId, first.Id)).Embeds.Concat((await LoadAsync(owner, channelId, second.Id)).Embeds).ToList();
        Assert.Equal(4, embeds.Count);
        Assert.All(embeds, e => Assert.Null(e.Image));
        // Each was asked for: the checks refused them, not the network.
        Assert.All(["/files/page-as-png.png", "/files/png-as-html.html", "/files/heavy.png", "/files/huge.png"], path => Assert.Contains(path, Pages.Paths));
        Assert.Equal(0, await App.QueryAsync(db => db.LinkPreviews.CountAsync(p => p.ImageHash != null && p.Url.Contains("/og/bomb"))));
    }

    [Fact]
    public async Task The_same_picture_on_twoPages_is_stored_once_and_a_gif_stays_animated()
    {
        var gif = await File.ReadAllBytesAsync(samples.AnimatedGif($"anim-{Guid.NewGuid():N}.gif", 5));
        var one = Pages.Serve("anim-one.gif", gif, "image/gif");
        var two = Pages.Serve("anim-two.gif", gif, "image/gif");
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();

        var message = await owner.Client.SendOkAsync(channelId, $"{PageUrl("gif-one", one)} {PageUrl("gif-two", two)}");
        await Jobs.WaitForAsync(1);

        var embeds = (await LoadAsync(owner, channelId, message.Id)).Embeds;
        Assert.Equal(2, embeds.Count);
        var pictures = embeds.Select(e => Assert.IsType<EmbedImage>(e.Image)).ToList();
        Assert.Equal((240, 160, false), (pictures[0].Width, pictures[0].Height, pictures[0].Large));
        Assert.Equal(pictures[0], pictures[1]);
        var hash = await ImageHashAsync("gif-one");
        Assert.Equal(hash, await ImageHashAsync("gif-two"));
        Assert.Equal(1, await App.QueryAsync(db => db.LinkImages.CountAsync(i => i.Hash == hash)));
        var storage = App.Services.GetRequiredService<IMediaStorage>();
        var files = new List<string>();
        await foreach (var file in storage.ListAsync("link-images/"))
            files.Add(file.Key);
        Assert.Single(files, LinkImage.KeyOf(hash));
        await using var stored = await storage.GetAsync(LinkImage.KeyOf(hash));
        var path = samples.PathOf($"anim-{hash}.webp");
        await using (var copy = File.Create(path))
            await stored!.Content.CopyToAsync(copy);
        using var header = Image.NewFromFile(path);
        Assert.Equal(5, (int)header.Get("n-pages"));
    }

    [Fact]
    public async Task The_sweep_removes_old_entries_and_the_pictures_nothing_shows_and_keeps_the_rest()
    {
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        var urls = new Dictionary<string, string>();
        foreach (var name in new[] { "kept", "gone", "fresh" })
        {
            var bytes = await File.ReadAllBytesAsync(samples.Image($"{name}-{Guid.NewGuid():N}.png", 48, 48));
            urls[name] = PageUrl($"sweep-{name}", Pages.Serve($"sweep-{name}.png", bytes, "image/png"));
        }
        var kept = await owner.Client.SendOkAsync(channelId, urls["kept"]);
        var gone = await owner.Client.SendOkAsync(channelId, urls["gone"]);
        var fresh = await owner.Client.SendOkAsync(channelId, urls["fresh"]);
        await Jobs.WaitForAsync(3);
        var (keptHash, goneHash, freshHash) = (await ImageHashAsync("sweep-kept"), await ImageHashAsync("sweep-gone"), await ImageHashAsync("sweep-fresh"));
        // The message showing "gone" is deleted; so is the one showing "fresh", whose entry is still in its lifetime.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{gone.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{fresh.Id}")).StatusCode);
        var old = DateTimeOffset.UtcNow - TimeSpan.FromHours(3);
        string[] aged = [urls["kept"], urls["gone"]];
        string[] hashes = [keptHash, goneHash, freshHash];
        await App.QueryAsync(async db =>
        {
            await db.LinkPreviews.Where(p => aged.Contains(p.Url)).ExecuteUpdateAsync(s => s.SetProperty(p => p.FetchedAt, old));
            return await db.LinkImages.Where(i => hashes.Contains(i.Hash)).ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, old));
        });
        var storage = App.Services.GetRequiredService<IMediaStorage>();
        Assert.True(await storage.ExistsAsync(LinkImage.KeyOf(goneHash)));
        // Files without a row: one left by a fetch stopped before its row, an hour old; one that may be a fetch under way.
        var (stray, young) = (LinkImage.KeyOf(new string('a', 64)), LinkImage.KeyOf(new string('b', 64)));
        foreach (var key in new[] { stray, young })
            await storage.PutAsync(key, new MemoryStream([1, 2, 3]), 3, "image/webp");
        File.SetLastWriteTimeUtc(Path.Combine(((LocalDiskStorage)storage).RootDirectory, stray), old.UtcDateTime);

        await App.Services.GetRequiredService<LinkPreviewSweeper>().SweepAsync(default);

        var entries = await App.QueryAsync(db => db.LinkPreviews.Where(p => p.Url.Contains("/og/sweep-")).Select(p => p.Url).ToListAsync());
        Assert.Equal([urls["fresh"]], entries);
        var pictures = await App.QueryAsync(db => db.LinkImages.Where(i => hashes.Contains(i.Hash)).Select(i => i.Hash).ToListAsync());
        Assert.Equal(new[] { keptHash, freshHash }.Order(), pictures.Order());
        Assert.True(await storage.ExistsAsync(LinkImage.KeyOf(keptHash))); // its message still shows it
        Assert.True(await storage.ExistsAsync(LinkImage.KeyOf(freshHash))); // its entry is still fresh
        Assert.False(await storage.ExistsAsync(LinkImage.KeyOf(goneHash)));
        Assert.False(await storage.ExistsAsync(stray));
        Assert.True(await storage.ExistsAsync(young));
        var shown = Assert.Single((await LoadAsync(owner, channelId, kept.Id)).Embeds).Image!;
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync(shown.Url)).StatusCode);
    }

    [Fact]
    public async Task A_reader_without_access_to_the_channel_cannot_fetch_the_picture()
    {
        var bytes = await File.ReadAllBytesAsync(samples.Image($"private-{Guid.NewGuid():N}.png", 40, 40));
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        var outsider = await App.UserAsync();
        var message = await owner.Client.SendOkAsync(channelId, PageUrl("private", Pages.Serve("private.png", bytes, "image/png")));
        await Jobs.WaitForAsync(1);
        var url = Assert.Single((await LoadAsync(owner, channelId, message.Id)).Embeds).Image!.Url;
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync(url)).StatusCode);

        // The message, and so the signed URL, is only given to those who may read the channel.
        Assert.False((await outsider.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{message.Id}")).IsSuccessStatusCode);
        Assert.False((await outsider.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).IsSuccessStatusCode);
        // The file's path alone, or with its expiry moved, opens nothing.
        var path = url[..url.IndexOf('?', StringComparison.Ordinal)];
        await (await outsider.Client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var later = System.Text.RegularExpressions.Regex.Replace(url, @"ex=(\d+)", m => $"ex={long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 86400}");
        await (await outsider.Client.GetAsync(later)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    private string PageUrl(string name, string image, string? card = null) =>
        Pages.Url($"og/{name}?image={Uri.EscapeDataString(image)}" + (card is null ? "" : $"&card={card}"));

    private Task<string> ImageHashAsync(string page) =>
        App.QueryAsync(db => db.LinkPreviews.Where(p => p.Url.Contains($"/og/{page}?")).Select(p => p.ImageHash!).SingleAsync());
}

[Trait("Provider", "sqlite")]
public sealed class SqliteLinkPictureTests(SqliteLoopbackPreviewsApp app, MediaSamples samples)
    : LinkPictureTests(app, samples), IClassFixture<SqliteLoopbackPreviewsApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresLinkPictureTests(PostgresLoopbackPreviewsApp app, MediaSamples samples)
    : LinkPictureTests(app, samples), IClassFixture<PostgresLoopbackPreviewsApp>;
