using System.Text.Json;
using System.Text.Json.Nodes;
using KamaChat.Server.Infrastructure.Media;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Media;

/// <summary>Our ThumbHash encoder against the reference implementation (npm thumbhash) on the same pixels.</summary>
[Collection("libvips")]
public sealed class ThumbHashTests(MediaSamples samples) : IClassFixture<MediaSamples>
{
    [Fact]
    public async Task Our_thumbhashes_are_byte_for_byte_the_reference_implementations()
    {
        var random = new Random(7);
        var cases = new List<(int Width, int Height, byte[] Rgba)>
        {
            Pixels(1, 1, (_, _) => (200, 10, 10, 255)),
            Pixels(100, 75, (x, y) => (x * 2, y * 3, 128, 255)),          // opaque gradient, landscape
            Pixels(40, 100, (x, y) => (255 - y * 2, x * 6, y, 255)),      // portrait
            Pixels(100, 1, (x, _) => (x, x, x, 255)),
            Pixels(64, 64, (x, y) => (x * 4, y * 4, 0, (x + y) * 2)),     // alpha
            Pixels(33, 57, (_, _) => (random.Next(256), random.Next(256), random.Next(256), random.Next(256))),
            Pixels(100, 100, (_, _) => (0, 0, 0, 0)),                      // fully transparent
        };
        for (var i = 0; i < 20; i++)
        {
            var (w, h) = (random.Next(1, 101), random.Next(1, 101));
            var opaque = i % 2 == 0;
            cases.Add(Pixels(w, h, (_, _) => (random.Next(256), random.Next(256), random.Next(256), opaque ? 255 : random.Next(256))));
        }

        var requests = new JsonArray(cases.Select(c => (JsonNode?)new JsonObject
        {
            ["op"] = "thumbhash", ["width"] = c.Width, ["height"] = c.Height, ["rgba"] = Convert.ToBase64String(c.Rgba),
        }).ToArray());
        var reference = JsonSerializer.Deserialize<List<string>>(await TestSupport.RunNodeAsync("reference.js", requests.ToJsonString()))!;

        var identical = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var ours = ThumbHash.FromRgba(cases[i].Width, cases[i].Height, cases[i].Rgba);
            var theirs = Convert.FromBase64String(reference[i]);
            if (ours.SequenceEqual(theirs))
            {
                identical++;
                continue;
            }
            // .NET's cosine (glibc) and V8's (fdlibm) may differ in the last bit; a term that lands exactly on a rounding
            // boundary can then round one step apart. That, and only that, is allowed: one field, off by one.
            var differences = Fields(ours).Zip(Fields(theirs)).Where(pair => pair.First != pair.Second).ToList();
            Assert.True(ours.Length == theirs.Length && differences.Count == 1 && Math.Abs(differences[0].First - differences[0].Second) == 1,
                $"case {i} ({cases[i].Width}×{cases[i].Height}): reference {reference[i]}, ours {Convert.ToBase64String(ours)}");
        }
        Assert.True(identical >= cases.Count * 3 / 4, $"only {identical} of {cases.Count} hashes are byte-identical");
    }

    [Fact]
    public void A_photo_gets_a_placeholder_of_at_most_30_bytes_that_keeps_its_aspect_ratio()
    {
        var images = new ImageProcessor(Options.Create(new MediaOptions()));
        var landscape = images.Placeholder(samples.Image("wide.jpg", 1200, 600));
        var portrait = images.Placeholder(samples.Image("tall.jpg", 600, 1200));

        Assert.InRange(landscape.Length, 10, 30);
        // The header's top bit says landscape (ThumbHash keeps the aspect ratio for the client).
        Assert.Equal(0x80, landscape[4] & 0x80);
        Assert.Equal(0, portrait[4] & 0x80);
    }

    /// <summary>The hash's fields in order: header bit fields (6,6,6,5,1 / 3,6,6,1), the alpha byte's two nibbles, the AC nibbles.</summary>
    private static List<int> Fields(byte[] hash)
    {
        var header24 = hash[0] | (hash[1] << 8) | (hash[2] << 16);
        var header16 = hash[3] | (hash[4] << 8);
        var fields = new List<int>
        {
            header24 & 63, (header24 >> 6) & 63, (header24 >> 12) & 63, (header24 >> 18) & 31, header24 >> 23,
            header16 & 7, (header16 >> 3) & 63, (header16 >> 9) & 63, header16 >> 15,
        };
        foreach (var b in hash.Skip(5))
        {
            fields.Add(b & 15);
            fields.Add(b >> 4);
        }
        return fields;
    }

    private static (int, int, byte[]) Pixels(int width, int height, Func<int, int, (int R, int G, int B, int A)> pixel)
    {
        var rgba = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (r, g, b, a) = pixel(x, y);
                var at = (y * width + x) * 4;
                (rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]) = ((byte)Math.Clamp(r, 0, 255), (byte)Math.Clamp(g, 0, 255), (byte)Math.Clamp(b, 0, 255), (byte)Math.Clamp(a, 0, 255));
            }
        }
        return (width, height, rgba);
    }
}
