using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A throwaway SMTP server (Debian's python3-aiosmtpd) on a free loopback port that files every message it
/// receives into a maildir, shared by the test run and killed at process exit. Tests find their messages by
/// recipient address, which is unique per test.
/// </summary>
public static class SmtpServer
{
    private static readonly Lazy<Task<(int Port, string Maildir)>> Started = new(StartAsync);

    /// <summary>The SMTP_URL the app under test should use.</summary>
    public static async Task<string> UrlAsync() => $"smtp://127.0.0.1:{(await Started.Value).Port}";

    /// <summary>Waits for a message to <paramref name="to"/> whose subject contains <paramref name="subject"/>.</summary>
    public static async Task<MimeMessage> WaitForMessageAsync(string to, string subject, TimeSpan? timeout = null)
    {
        var messages = await WaitForMessagesAsync(to, subject, 1, timeout);
        return messages[^1];
    }

    public static async Task<List<MimeMessage>> WaitForMessagesAsync(string to, string subject, int count, TimeSpan? timeout = null)
    {
        var (_, maildir) = await Started.Value;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var found = Messages(maildir, to, subject);
            if (found.Count >= count)
                return found;
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(20)))
                throw new TimeoutException($"No {count} message(s) to {to} with subject containing '{subject}' arrived (found {found.Count}).");
            await Task.Delay(100);
        }
    }

    /// <summary>Every message so far to this address (for asserting that nothing was sent).</summary>
    public static async Task<List<MimeMessage>> MessagesToAsync(string to) => Messages((await Started.Value).Maildir, to, "");

    private static List<MimeMessage> Messages(string maildir, string to, string subject)
    {
        var directory = Path.Combine(maildir, "new");
        if (!Directory.Exists(directory))
            return [];
        return Directory.GetFiles(directory)
            .Select(file => (File: file, Time: File.GetLastWriteTimeUtc(file)))
            .OrderBy(f => f.Time)
            .Select(f => MimeMessage.Load(f.File))
            .Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, to, StringComparison.OrdinalIgnoreCase)) &&
                        (m.Subject ?? "").Contains(subject, StringComparison.Ordinal))
            .ToList();
    }

    private static async Task<(int, string)> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("kamachat-smtp-").FullName;
        var maildir = Path.Combine(root, "maildir");
        var port = RabbitMqServer.FreeLoopbackPort();
        // Debian's module lives with the system Python, whatever python3 comes first on PATH.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (var argument in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir })
            start.ArgumentList.Add(argument);
        var process = TiedProcess.Start(start);
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                process.WaitForExit(3000);
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort.
            }
        };

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException(
                    $"aiosmtpd exited ({process.ExitCode}): {await error}. Install Debian's 'python3-aiosmtpd' package.");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return (port, maildir);
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }
}
