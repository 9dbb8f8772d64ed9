using KamaChat.Desktop.Tests.Infrastructure;

namespace KamaChat.Desktop.Tests.App;

/// <summary>
/// What ./kamachat desktop --package builds (./kamachat test builds it before this suite): the tarball's app starts
/// and works as the built one does, and the .deb holds the entry, the icon and the executable where the system looks.
/// </summary>
[Collection(DesktopCollection.Name)]
public sealed class PackageTests(DesktopSession session)
{
    private static readonly string Artifacts = Path.Combine(KamaChatServer.RepositoryRoot, ".artifacts");

    [Fact(Timeout = 240_000)]
    public async Task The_packaged_app_starts_from_its_tarball_and_the_deb_installs_its_entry_and_icon()
    {
        var tarball = Path.Combine(Artifacts, "kamachat-desktop-linux-x64.tar.gz");
        Assert.True(File.Exists(tarball), $"{tarball} is missing: ./kamachat desktop --package builds it (./kamachat test does before this suite).");
        var root = Directory.CreateDirectory(Path.Combine(session.Root, "packaged")).FullName;
        await session.RunAsync("tar", "-xzf", tarball, "-C", root);
        var folder = Path.Combine(root, "kamachat-desktop-linux-x64");
        // Self-contained: the .NET runtime travels with it.
        Assert.True(File.Exists(Path.Combine(folder, "libcoreclr.so")));
        var entry = await File.ReadAllTextAsync(Path.Combine(folder, "kamachat.desktop"));
        Assert.Contains("Exec=kamachat-desktop %u\n", entry, StringComparison.Ordinal);
        Assert.Contains("Icon=kamachat\n", entry, StringComparison.Ordinal);
        Assert.Contains("MimeType=x-scheme-handler/kamachat;", entry, StringComparison.Ordinal);
        Assert.StartsWith("<svg", await File.ReadAllTextAsync(Path.Combine(folder, "kamachat.svg")), StringComparison.Ordinal);

        // Started from the extracted folder by another user of this desktop (their own folders: a first start).
        var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        var runtime = Directory.CreateDirectory(Path.Combine(home, "run"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var environment = new Dictionary<string, string>
        {
            ["XDG_CONFIG_HOME"] = Path.Combine(home, "config"),
            ["XDG_DATA_HOME"] = Path.Combine(home, "data"),
            ["XDG_RUNTIME_DIR"] = runtime,
        };
        await using var host = await DesktopHost.StartAsync(session, Path.Combine(folder, "kamachat-desktop"), environment, "--server", session.Server.Url);
        await using var page = await host.PageAsync(session.Server.Url);
        // Signed in or not (the keyring is this desktop session's, and may hold a session for the server already).
        await page.WaitForAsync("location.pathname === '/login' && document.querySelector('input[name=login]') || document.querySelector('nav[aria-label=\"Servers\"]')",
            "the server's client in the packaged app");
        Assert.Equal("object", await page.TextAsync("typeof kamachatDesktop"));
        // It registered itself for this user: the menu entry runs the extracted executable, and opens kamachat:// links.
        var registered = await File.ReadAllTextAsync(Path.Combine(home, "data", "applications", "kamachat.desktop"));
        Assert.Contains($"Exec={Path.Combine(folder, "kamachat-desktop")} %u", registered, StringComparison.Ordinal);

        var deb = Directory.GetFiles(Artifacts, "kamachat-desktop_*_amd64.deb").Single();
        var contents = await session.RunAsync("dpkg-deb", "-c", deb);
        foreach (var installed in new[]
        {
            "./usr/bin/kamachat-desktop -> ../lib/kamachat-desktop/kamachat-desktop",
            "./usr/lib/kamachat-desktop/kamachat-desktop",
            "./usr/share/applications/kamachat.desktop",
            "./usr/share/icons/hicolor/scalable/apps/kamachat.svg",
        })
            Assert.Contains(installed, contents, StringComparison.Ordinal);
        Assert.Contains("chromium", await session.RunAsync("dpkg-deb", "-f", deb, "Depends"), StringComparison.Ordinal);
    }
}
