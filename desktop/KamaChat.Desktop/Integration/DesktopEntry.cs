using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using KamaChat.Desktop.Config;

namespace KamaChat.Desktop.Integration;

/// <summary>
/// The app's place on the desktop: kamachat.desktop (menus, the kamachat:// handler), its icon, and the optional
/// autostart entry. Written for the user (XDG_DATA_HOME / XDG_CONFIG_HOME), pointing at the running executable.
/// </summary>
public static class DesktopEntry
{
    public const string FileName = "kamachat.desktop";
    public const string SchemeMimeType = "x-scheme-handler/kamachat";

    /// <summary>The entry's text; <paramref name="extraArgument"/> goes before the link (e.g. --hidden for autostart).</summary>
    public static string Content(string executable, string? extraArgument = null, bool autostart = false)
    {
        var exec = new StringBuilder(Quote(executable));
        if (extraArgument is not null)
            exec.Append(' ').Append(Quote(extraArgument));
        if (!autostart)
            exec.Append(" %u");
        var text = new StringBuilder()
            .AppendLine("[Desktop Entry]")
            .AppendLine("Type=Application")
            .AppendLine("Name=KamaChat")
            .AppendLine("GenericName=Chat")
            .AppendLine("Comment=Chat, talk and call with your communities")
            .AppendLine($"Exec={exec}")
            .AppendLine("Icon=kamachat")
            .AppendLine("Terminal=false")
            .AppendLine("Categories=Network;InstantMessaging;Chat;")
            .AppendLine("Keywords=chat;voice;messages;")
            .AppendLine("StartupWMClass=KamaChat")
            .AppendLine("StartupNotify=true");
        if (autostart)
            text.AppendLine("X-GNOME-Autostart-enabled=true");
        else
            text.AppendLine($"MimeType={SchemeMimeType};");
        return text.ToString();
    }

    /// <summary>Writes the entry and icon for this user and makes the app the kamachat:// handler (xdg-mime).</summary>
    public static void Register(DesktopPaths paths, string executable, string iconSvg)
    {
        var file = Path.Combine(paths.ApplicationsDirectory, FileName);
        var content = Content(executable);
        var icon = Path.Combine(Path.GetDirectoryName(paths.ApplicationsDirectory)!, "icons", "hicolor", "scalable", "apps", "kamachat.svg");
        WriteIfChanged(icon, iconSvg);
        if (WriteIfChanged(file, content))
        {
            Run("update-desktop-database", paths.ApplicationsDirectory);
        }
        if (!string.Equals(Capture("xdg-mime", "query", "default", SchemeMimeType)?.Trim(), FileName, StringComparison.Ordinal))
            Run("xdg-mime", "default", FileName, SchemeMimeType);
    }

    public static string AutostartFile(DesktopPaths paths) => Path.Combine(paths.AutostartDirectory, FileName);

    public static bool IsAutostartEnabled(DesktopPaths paths) => File.Exists(AutostartFile(paths));

    /// <summary>Start on login: an XDG autostart entry that starts the app in the tray (--hidden).</summary>
    public static void SetAutostart(DesktopPaths paths, string executable, bool enabled)
    {
        if (enabled)
            WriteIfChanged(AutostartFile(paths), Content(executable, "--hidden", autostart: true));
        else
            File.Delete(AutostartFile(paths));
    }

    /// <summary>Quotes an Exec argument as the Desktop Entry spec says (double quotes; \ " ` $ escaped; backslashes then doubled; % as %%).</summary>
    public static string Quote(string argument)
    {
        if (argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or '+' or ','))
            return argument;
        var escaped = new StringBuilder("\"");
        foreach (var c in argument)
        {
            if (c is '"' or '`' or '$' or '\\')
                escaped.Append('\\');
            escaped.Append(c);
        }
        // The string-value escape applies on top of the quoting rule: each backslash is written twice.
        return escaped.Append('"').ToString().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "%%", StringComparison.Ordinal);
    }

    private static bool WriteIfChanged(string file, string content)
    {
        if (File.Exists(file) && File.ReadAllText(file) == content)
            return false;
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, file, overwrite: true);
        return true;
    }

    private static void Run(string program, params string[] arguments) => Capture(program, arguments);

    /// <summary>Runs a desktop tool if it is installed; its output, or null when it is missing or failed.</summary>
    private static string? Capture(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (Win32Exception)
        {
            return null;
        }
    }
}
