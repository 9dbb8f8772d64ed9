using System.Text.Json;
using System.Text.Json.Serialization;

namespace KamaChat.Desktop.Config;

/// <summary>The window's last position and size, restored at the next start.</summary>
public sealed record WindowBounds(int Left, int Top, int Width, int Height);

/// <summary>What the app remembers between runs (config.json in the config directory).</summary>
public sealed record DesktopConfig
{
    /// <summary>Server origins the user has added, in the order added.</summary>
    public IReadOnlyList<string> Servers { get; init; } = [];

    /// <summary>The server the window shows; null until the first run's question is answered.</summary>
    public string? CurrentServer { get; init; }

    public WindowBounds? Window { get; init; }

    /// <summary>The global push-to-talk key as an X11 keysym name (e.g. "F8", "ctrl+space"); null: none.</summary>
    public string? PushToTalkKey { get; init; }

    /// <summary>The browser to run instead of the first one found (chromium, google-chrome, microsoft-edge).</summary>
    public string? Browser { get; init; }

    public DesktopConfig WithServer(string origin) => this with
    {
        Servers = Servers.Contains(origin, StringComparer.Ordinal) ? Servers : [.. Servers, origin],
        CurrentServer = origin,
    };
}

/// <summary>Reads and writes <see cref="DesktopConfig"/>; a write replaces the file atomically, so a crash never leaves half of it.</summary>
public sealed class ConfigStore(string file)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Lock _lock = new();
    private DesktopConfig? _current;

    public DesktopConfig Current
    {
        get
        {
            lock (_lock)
                return _current ??= Load();
        }
    }

    public DesktopConfig Update(Func<DesktopConfig, DesktopConfig> change)
    {
        lock (_lock)
        {
            var next = change(_current ??= Load());
            if (next == _current)
                return next;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = $"{file}.{Environment.ProcessId}.tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(next, Json));
            File.Move(temporary, file, overwrite: true);
            return _current = next;
        }
    }

    private DesktopConfig Load()
    {
        try
        {
            return File.Exists(file) ? JsonSerializer.Deserialize<DesktopConfig>(File.ReadAllText(file), Json) ?? new DesktopConfig() : new DesktopConfig();
        }
        catch (JsonException)
        {
            // A file edited by hand into nonsense: start over rather than refuse to start, keeping it for the user to look at.
            File.Copy(file, file + ".broken", overwrite: true);
            return new DesktopConfig();
        }
    }
}
