namespace KamaChat.Desktop.Config;

/// <summary>Where the app keeps things, after the XDG base directory specification.</summary>
public sealed record DesktopPaths(string ConfigDirectory, string DataDirectory, string RuntimeDirectory, string ApplicationsDirectory, string AutostartDirectory)
{
    public const string AppId = "kamachat-desktop";

    public string ConfigFile => Path.Combine(ConfigDirectory, "config.json");

    /// <summary>Chromium's profile: cookies, the page's storage, zoom levels. Ours alone, never the user's browser profile.</summary>
    public string ProfileDirectory => Path.Combine(DataDirectory, "profile");

    public string InstanceSocket => Path.Combine(RuntimeDirectory, "instance.sock");

    public string LogFile => Path.Combine(DataDirectory, "browser.log");

    public static DesktopPaths FromEnvironment()
    {
        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string Base(string variable, string fallback) =>
            Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value && Path.IsPathRooted(value) ? value : Path.Combine(home, fallback);

        var config = Base("XDG_CONFIG_HOME", ".config");
        var data = Base("XDG_DATA_HOME", ".local/share");
        // The runtime directory is private to the user (0700) and cleared at logout; without one, make our own in /tmp.
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } r && Path.IsPathRooted(r)
            ? Path.Combine(r, AppId)
            : Path.Combine(Path.GetTempPath(), $"{AppId}-{Environment.UserName}");
        return new DesktopPaths(Path.Combine(config, AppId), Path.Combine(data, AppId), runtime,
            Path.Combine(data, "applications"), Path.Combine(config, "autostart"));
    }

    /// <summary>Creates the folders the app writes to, readable by the user only.</summary>
    public void EnsureCreated()
    {
        foreach (var directory in new[] { ConfigDirectory, DataDirectory, RuntimeDirectory })
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
