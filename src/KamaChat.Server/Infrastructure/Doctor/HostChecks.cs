using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Doctor;

/// <summary>The data directory (KAMACHAT_DATA_DIR) takes a new file, or can be created.</summary>
internal sealed class StorageCheck(IOptions<ServerOptions> server) : IDoctorCheck
{
    public string Name => "storage";

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetFullPath(server.Value.DataDirectory);
        var fix = $"make it writable by this user (sudo chown -R {Environment.UserName} {directory}), or set KAMACHAT_DATA_DIR";
        if (Directory.Exists(directory))
            return Task.FromResult(CannotWrite(directory) is { } problem
                ? CheckResult.Fail($"{directory} cannot be written ({problem})", fix)
                : CheckResult.Ok($"{directory} is writable"));
        var parent = HostPaths.NearestExisting(directory);
        return Task.FromResult(CannotWrite(parent) is { } parentProblem
            ? CheckResult.Fail($"{directory} does not exist, and {parent} cannot be written to create it ({parentProblem})", fix)
            : CheckResult.Ok($"{directory} does not exist yet; the first start creates it"));
    }

    /// <summary>Writes and removes a probe file: permissions, read-only mounts and immutable flags all show up here.</summary>
    private static string? CannotWrite(string directory)
    {
        var probe = Path.Combine(directory, $".kamachat-doctor-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, [0]);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Doctor.Brief(e);
        }
    }
}

/// <summary>Free space where the data directory lives.</summary>
internal sealed class DiskSpaceCheck(IOptions<ServerOptions> server) : IDoctorCheck
{
    public const long FailBelow = 256L << 20;
    public const long WarnBelow = 2L << 30;

    public string Name => "disk";

    public Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetFullPath(server.Value.DataDirectory);
        var drive = new DriveInfo(HostPaths.NearestExisting(directory));
        var free = drive.AvailableFreeSpace;
        var summary = $"{Size(free)} free of {Size(drive.TotalSize)} where {directory} lives";
        var fix = "free space there (old backups, logs), or move KAMACHAT_DATA_DIR to a larger disk";
        return Task.FromResult(free < FailBelow ? CheckResult.Fail(summary, fix)
            : free < WarnBelow ? CheckResult.Warn(summary, fix)
            : CheckResult.Ok(summary));
    }

    private static string Size(long bytes) => bytes >= 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB");
}

/// <summary>Where the node will listen (HOST and PORT, or URLS) is free, or already served by KamaChat.</summary>
internal sealed class ListenPortCheck(IConfiguration configuration) : IDoctorCheck
{
    public string Name => "port";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var address in ListenBinding.All(configuration))
        {
            var where = $"{address.Host}:{address.Port}";
            try
            {
                using var listener = new TcpListener(address.Bind, address.Port);
                listener.Start();
                listener.Stop();
                found.Add($"{where} is free");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                if (!await ListenBinding.ServesKamaChatAsync(address, cancellationToken))
                    return CheckResult.Fail($"{where} is taken by another program",
                        $"stop it (see which one: sudo ss -ltnp 'sport = :{address.Port}') or set PORT (or HOST)");
                found.Add($"{where} is served by a running KamaChat node");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                return CheckResult.Fail($"{address.Host} is not an address of this machine", "set HOST to one of this machine's addresses, or 0.0.0.0 for all");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
            {
                return CheckResult.Fail($"listening on {where} needs privileges this user lacks",
                    "set PORT above 1023 and let nginx listen on 80 and 443 (deploy/nginx/kamachat.conf)");
            }
        }
        return CheckResult.Ok(string.Join("; ", found));
    }
}

/// <summary>PUBLIC_URL reaches a KamaChat node (its /healthz), as users' browsers and emailed links will.</summary>
internal sealed class PublicUrlCheck(IOptions<ServerOptions> server, IHostEnvironment environment, IConfiguration configuration) : IDoctorCheck
{
    public string Name => "public-url";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var options = server.Value;
        if (string.IsNullOrWhiteSpace(options.PublicUrlText))
            return environment.IsProduction()
                ? CheckResult.Warn($"PUBLIC_URL is not set: links in emails point to {options.PublicUrl}", "set PUBLIC_URL to the address users open, e.g. https://chat.example.com")
                : CheckResult.Skip($"not set: links in emails point to {options.PublicUrl}");
        var health = new Uri(options.PublicUrl, "healthz");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await http.GetAsync(health, cancellationToken);
            if (response.IsSuccessStatusCode)
                return CheckResult.Ok(string.Create(CultureInfo.InvariantCulture, $"{options.PublicUrl} answers (/healthz: {(int)response.StatusCode})"));
            return CheckResult.Warn(string.Create(CultureInfo.InvariantCulture, $"{health} answers {(int)response.StatusCode}: is KamaChat behind it?"),
                "route PUBLIC_URL's host to KamaChat (deploy/nginx/kamachat.conf), or correct PUBLIC_URL");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var summary = $"{options.PublicUrl} cannot be reached ({Doctor.Brief(e)})";
            var fix = $"check DNS, the proxy and the firewall for {options.PublicUrl.Host}, or correct PUBLIC_URL";
            // Before the first start nothing answers yet: that is worth a warning, not a failure.
            if (!await ListenBinding.AnyInUseAsync(configuration, cancellationToken))
                return CheckResult.Warn(summary + "; no KamaChat runs on this node yet, so check again once it has started", fix);
            return CheckResult.Fail(summary, fix);
        }
    }
}

/// <summary>One address the node listens on, as Kestrel will read it from URLS or HOST and PORT.</summary>
internal sealed record ListenBinding(string Host, int Port, IPAddress Bind, string Scheme)
{
    public static IEnumerable<ListenBinding> All(IConfiguration configuration)
    {
        foreach (var url in Configuration.ListenAddress.Urls(configuration).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var binding = BindingAddress.Parse(url);
            var host = binding.Host.Trim('[', ']');
            var bind = host switch
            {
                "localhost" => IPAddress.Loopback,
                "*" or "+" or "0.0.0.0" => IPAddress.Any,
                _ when IPAddress.TryParse(host, out var ip) => ip,
                _ => Dns.GetHostAddresses(host).FirstOrDefault() ?? IPAddress.Loopback,
            };
            yield return new ListenBinding(binding.Host, binding.Port, bind, binding.Scheme);
        }
    }

    /// <summary>Whether a KamaChat node answers /healthz there (so the port is taken by us, not by another program).</summary>
    public static async Task<bool> ServesKamaChatAsync(ListenBinding address, CancellationToken cancellationToken)
    {
        var host = address.Bind.Equals(IPAddress.Any) ? IPAddress.Loopback : address.Bind.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : address.Bind;
        // Generous: a node that is busy (or just started, compiling as it goes) is still a KamaChat node.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await http.GetAsync(new UriBuilder(address.Scheme, host.ToString(), address.Port, "/healthz").Uri, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Whether anything listens on one of the node's addresses.</summary>
    public static async Task<bool> AnyInUseAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        foreach (var address in All(configuration))
        {
            var host = address.Bind.Equals(IPAddress.Any) ? IPAddress.Loopback : address.Bind;
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, address.Port, cancellationToken);
                return true;
            }
            catch (SocketException)
            {
                // Refused: nothing there.
            }
        }
        return false;
    }
}

internal static class HostPaths
{
    /// <summary>The directory itself, or its closest ancestor that exists.</summary>
    public static string NearestExisting(string directory)
    {
        var current = directory;
        while (!Directory.Exists(current) && Path.GetDirectoryName(current) is { } parent)
            current = parent;
        return current;
    }
}
