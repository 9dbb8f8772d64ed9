using System.Security.Cryptography;
using KamaChat.Server.Infrastructure.Media;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Media;

/// <summary>Our INSTREAM client against a real clamd with a one-line signature database.</summary>
public sealed class ClamAvScannerTests
{
    private static ClamAvScanner Scanner(Uri? url) => new(Options.Create(new ClamAvOptions { Url = url }));

    [Fact]
    public async Task The_test_signature_is_found_over_tcp_and_over_the_unix_socket()
    {
        var (tcp, unix) = await ClamAvServer.UrlsAsync();

        foreach (var url in new[] { tcp, unix })
        {
            var result = await Scanner(url).ScanAsync(new MemoryStream(ClamAvServer.TestMalware), CancellationToken.None);
            Assert.Equal(ScanVerdict.Infected, result.Verdict);
            Assert.Contains(ClamAvServer.SignatureName, result.Signature, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Other_files_are_clean_even_when_larger_than_one_chunk()
    {
        var (tcp, _) = await ClamAvServer.UrlsAsync();

        var result = await Scanner(tcp).ScanAsync(new MemoryStream(RandomNumberGenerator.GetBytes(300_000)), CancellationToken.None);

        Assert.Equal(new ScanResult(ScanVerdict.Clean), result);
        Assert.True(await Scanner(tcp).PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Without_clamav_url_nothing_is_scanned_and_that_is_said_plainly()
    {
        var scanner = Scanner(null);

        Assert.False(scanner.IsConfigured);
        Assert.Equal(ScanVerdict.NotConfigured, (await scanner.ScanAsync(new MemoryStream(ClamAvServer.TestMalware), CancellationToken.None)).Verdict);
    }

    [Fact]
    public async Task An_unreachable_clamd_is_an_error_to_retry_not_a_clean_verdict()
    {
        var closed = new Uri($"tcp://127.0.0.1:{ServiceProcess.FreeLoopbackPort()}");

        await Assert.ThrowsAsync<VirusScannerUnavailableException>(() => Scanner(closed).ScanAsync(new MemoryStream([1, 2, 3]), CancellationToken.None));
        Assert.False(await Scanner(closed).PingAsync(CancellationToken.None));
    }
}
