using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// The configuration of a Janus this server runs itself: the HTTP API on loopback only, random secrets made at each
/// start, only the HTTP transport and the VideoRoom plugin loaded (from symlinks to the installed plugin files), no
/// admin API, event handlers or loggers, and the configured RTP port range.
/// </summary>
public sealed record LocalJanusConfig(string Directory, int Port, string ApiSecret, string AdminKey)
{
    public Uri ApiUrl => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/janus"));

    public JanusEndpoint Endpoint => new(ApiUrl, ApiSecret, AdminKey);

    /// <summary>Writes the configuration for a Janus whose plugins live under <paramref name="libraryDirectory"/>.</summary>
    public static LocalJanusConfig Write(string directory, string libraryDirectory, int port, JanusOptions options)
    {
        var config = new LocalJanusConfig(Path.GetFullPath(directory), port, Secret(), Secret());
        var dir = config.Directory;
        // Start clean: a previous run's files (and links to another Janus install) must not linger.
        if (System.IO.Directory.Exists(dir))
            System.IO.Directory.Delete(dir, recursive: true);
        foreach (var folder in new[] { "plugins", "transports", "none" })
            System.IO.Directory.CreateDirectory(Path.Combine(dir, folder));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(Path.Combine(dir, "plugins", "libjanus_videoroom.so"), Path.Combine(libraryDirectory, "plugins", "libjanus_videoroom.so"));
        File.CreateSymbolicLink(Path.Combine(dir, "transports", "libjanus_http.so"), Path.Combine(libraryDirectory, "transports", "libjanus_http.so"));

        var nat = options.PublicIp is { } publicIp
            ? $"\tnat_1_1_mapping = \"{publicIp}\"\n\tkeep_private_host = false"
            : "";
        WriteFile(dir, "janus.jcfg", $$"""
            general: {
            	configs_folder = "{{dir}}"
            	plugins_folder = "{{dir}}/plugins"
            	transports_folder = "{{dir}}/transports"
            	events_folder = "{{dir}}/none"
            	loggers_folder = "{{dir}}/none"
            	debug_level = 4
            	debug_colors = false
            	api_secret = "{{config.ApiSecret}}"
            	session_timeout = 30
            	server_name = "KamaChat"
            	hide_dependencies = true
            }
            media: {
            	rtp_port_range = "{{options.RtpPortMin}}-{{options.RtpPortMax}}"
            }
            nat: {
            	nice_debug = false
            	ice_ignore_list = "vmnet"
            {{nat}}
            }

            """);
        WriteFile(dir, "janus.transport.http.jcfg", $$"""
            general: {
            	json = "plain"
            	base_path = "/janus"
            	http = true
            	ip = "{{IPAddress.Loopback}}"
            	port = {{port}}
            	https = false
            }
            admin: {
            	admin_http = false
            	admin_https = false
            }

            """);
        WriteFile(dir, "janus.plugin.videoroom.jcfg", $$"""
            general: {
            	admin_key = "{{config.AdminKey}}"
            }

            """);
        return config;
    }

    /// <summary>Where the installed Janus keeps its plugins: next to the binary (Debian: /usr/lib/&lt;arch&gt;/janus).</summary>
    public static string? FindLibraryDirectory(string binary)
    {
        var prefix = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(new FileInfo(binary).ResolveLinkTarget(true)?.FullName ?? binary)))!;
        var lib = Path.Combine(prefix, "lib");
        var candidates = new List<string> { Path.Combine(lib, "janus") };
        if (System.IO.Directory.Exists(lib))
            candidates.AddRange(System.IO.Directory.GetDirectories(lib).Select(d => Path.Combine(d, "janus")));
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "plugins", "libjanus_videoroom.so")) &&
                                              File.Exists(Path.Combine(c, "transports", "libjanus_http.so")));
    }

    /// <summary>The binary: a path as given, or a name looked up on PATH.</summary>
    public static string? FindBinary(string binary)
    {
        if (binary.Contains('/', StringComparison.Ordinal))
            return File.Exists(binary) ? binary : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin").Append("/opt/janus/bin")
            .Select(d => Path.Combine(d, binary))
            .FirstOrDefault(File.Exists);
    }

    private static void WriteFile(string directory, string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static string Secret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}
