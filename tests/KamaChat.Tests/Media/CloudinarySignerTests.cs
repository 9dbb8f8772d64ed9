using System.Text.Json;
using System.Text.Json.Nodes;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace KamaChat.Tests.Media;

/// <summary>Our Cloudinary signatures against the official Node SDK (npm cloudinary), which signs offline.</summary>
public sealed class CloudinarySignerTests
{
    /// <summary>Upload parameter names, so the random sets look like real requests; the SDK sorts by locale, we by ordinal,
    /// which agree on lower-case names with underscores.</summary>
    private static readonly string[] Names =
    [
        "public_id", "folder", "tags", "context", "eager", "eager_async", "overwrite", "invalidate", "type", "access_mode",
        "transformation", "format", "notification_url", "moderation", "upload_preset", "use_filename", "unique_filename",
        "expires_at", "attachment", "backup", "callback", "headers", "allowed_formats", "asset_folder", "display_name",
    ];

    [Fact]
    public void Cloudinarys_documented_example_signs_as_documented()
    {
        var parameters = new Dictionary<string, object?>
        {
            ["eager"] = "w_400,h_300,c_pad|w_260,h_200,c_crop",
            ["public_id"] = "sample_image",
            ["timestamp"] = 1315060510,
            // Never signed, whatever the caller passes.
            ["api_key"] = "1234",
            ["file"] = "whatever",
            ["cloud_name"] = "demo",
            ["resource_type"] = "image",
        };

        Assert.Equal("eager=w_400,h_300,c_pad|w_260,h_200,c_crop&public_id=sample_image&timestamp=1315060510", CloudinarySigner.StringToSign(parameters));
        Assert.Equal("bfd09f95f331f558cbd1320e67aa8d488770583e", CloudinarySigner.Sign(parameters, "abcd", CloudinarySignatureAlgorithm.Sha1));
    }

    [Fact]
    public async Task The_documented_example_signs_as_the_official_sdk_does_with_both_algorithms()
    {
        var parameters = new Dictionary<string, object?> { ["eager"] = "w_400,h_300,c_pad|w_260,h_200,c_crop", ["public_id"] = "sample_image", ["timestamp"] = 1315060510 };
        var requests = new JsonArray(
            SignRequest(parameters, "abcd", "sha1"),
            SignRequest(parameters, "abcd", "sha256"));

        var answers = await ReferenceAsync(requests);

        Assert.Equal("bfd09f95f331f558cbd1320e67aa8d488770583e", answers[0]);
        Assert.Equal(CloudinarySigner.Sign(parameters, "abcd", CloudinarySignatureAlgorithm.Sha256), answers[1]);
    }

    [Fact]
    public async Task Hundreds_of_random_parameter_sets_sign_as_the_official_sdk_does()
    {
        var random = new Random(20250101);
        var cases = new List<(Dictionary<string, object?> Parameters, string Secret, CloudinarySignatureAlgorithm Algorithm)>();
        for (var i = 0; i < 400; i++)
        {
            var parameters = new Dictionary<string, object?> { ["timestamp"] = 1_700_000_000L + random.Next(1_000_000) };
            foreach (var name in Names.OrderBy(_ => random.Next()).Take(random.Next(1, 8)))
                parameters[name] = RandomValue(random);
            cases.Add((parameters, RandomText(random, 10, 40), i % 2 == 0 ? CloudinarySignatureAlgorithm.Sha1 : CloudinarySignatureAlgorithm.Sha256));
        }

        var answers = await ReferenceAsync(new JsonArray(cases
            .Select(c => (JsonNode?)SignRequest(c.Parameters, c.Secret, c.Algorithm == CloudinarySignatureAlgorithm.Sha1 ? "sha1" : "sha256")).ToArray()));

        for (var i = 0; i < cases.Count; i++)
        {
            var (parameters, secret, algorithm) = cases[i];
            // Both ways: ours must equal the SDK's, and the SDK's must be the digest of our string to sign.
            Assert.True(answers[i] == CloudinarySigner.Sign(parameters, secret, algorithm),
                $"case {i}: {CloudinarySigner.StringToSign(parameters)} → SDK {answers[i]}, ours {CloudinarySigner.Sign(parameters, secret, algorithm)}");
        }
    }

    [Fact]
    public async Task Delivery_and_download_urls_are_the_ones_the_official_sdk_builds()
    {
        var options = new CloudinaryOptions { CloudName = "kamachat-demo", ApiKey = "123456789012345", ApiSecret = "a-secret-of-ours" };
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_750_000_000));
        var storage = new CloudinaryStorage(options, new HttpClient(), time);
        var expiresAt = time.GetUtcNow().AddMinutes(10);

        var answers = await ReferenceAsync(new JsonArray(
            new JsonObject { ["op"] = "delivery_url", ["publicId"] = "attachments/42/original", ["cloud"] = options.CloudName, ["secret"] = options.ApiSecret },
            new JsonObject { ["op"] = "delivery_url", ["publicId"] = "loose-file.bin", ["cloud"] = options.CloudName, ["secret"] = options.ApiSecret },
            DownloadRequest(attachment: false),
            DownloadRequest(attachment: true)));

        Assert.Equal(answers[0], storage.DeliveryUrl("attachments/42/original").ToString());
        Assert.Equal(answers[1], storage.DeliveryUrl("loose-file.bin").ToString());
        AssertSameUrl(answers[2]!, storage.PrivateDownloadUrl("attachments/42/original", expiresAt, attachment: false));
        AssertSameUrl(answers[3]!, storage.PrivateDownloadUrl("attachments/42/original", expiresAt, attachment: true));

        JsonObject DownloadRequest(bool attachment) => new()
        {
            ["op"] = "download_url", ["publicId"] = "attachments/42/original", ["cloud"] = options.CloudName, ["key"] = options.ApiKey,
            ["secret"] = options.ApiSecret, ["expiresAt"] = expiresAt.ToUnixTimeSeconds(), ["timestamp"] = time.GetUtcNow().ToUnixTimeSeconds(),
            ["attachment"] = attachment,
        };
    }

    /// <summary>Same address and the same query parameters (the SDK orders them differently).</summary>
    private static void AssertSameUrl(string expected, Uri actual)
    {
        var reference = new Uri(expected);
        Assert.Equal(reference.GetLeftPart(UriPartial.Path), actual.GetLeftPart(UriPartial.Path));
        Assert.Equal(
            QueryHelpers.ParseQuery(reference.Query).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value.ToString())),
            QueryHelpers.ParseQuery(actual.Query).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value.ToString())));
    }

    private static JsonObject SignRequest(Dictionary<string, object?> parameters, string secret, string algorithm)
    {
        var json = new JsonObject();
        foreach (var (name, value) in parameters)
        {
            json[name] = value switch
            {
                string[] items => new JsonArray(items.Select(item => (JsonNode?)item).ToArray()),
                long number => number,
                int number => number,
                bool flag => flag,
                string text => text,
                _ => null,
            };
        }
        return new JsonObject { ["op"] = "sign", ["params"] = json, ["secret"] = secret, ["algorithm"] = algorithm };
    }

    private static object? RandomValue(Random random) => random.Next(8) switch
    {
        0 => null,
        1 => "",
        2 => random.Next(2) == 0,
        3 => (long)random.Next(),
        4 => Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomText(random, 1, 8)).ToArray(),
        _ => RandomText(random, 1, 30),
    };

    /// <summary>Text with the characters that trip signers: separators, '&amp;', '=', '%', spaces, unicode.</summary>
    private static string RandomText(Random random, int min, int max)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/.,|:;&=%+ éüñ日本";
        return new string(Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
    }

    private static async Task<List<string?>> ReferenceAsync(JsonArray requests)
    {
        var output = await TestSupport.RunNodeAsync("reference.js", requests.ToJsonString());
        return JsonSerializer.Deserialize<List<string?>>(output)!;
    }
}
