using KamaChat.Server.Infrastructure.Email;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace KamaChat.Tests.Email;

/// <summary>The .eml writer against a reader that watches the mail directory the whole time, as the e2e tests and mail clients do.</summary>
public sealed class MailFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kamachat-mail-").FullName;

    [Fact]
    public async Task A_reader_polling_the_mail_directory_only_ever_sees_complete_eml_files()
    {
        const int Count = 12;
        // Large enough that writing one takes many reads' time: a reader racing the writer catches it half-written.
        var body = string.Join('\n', Enumerable.Repeat(new string('x', 76), 40_000));
        var sender = new MailDirectoryEmailSender(Options.Create(new EmailOptions { MailDirectory = _directory }), NullLogger<MailDirectoryEmailSender>.Instance);

        using var done = new CancellationTokenSource();
        var seen = new HashSet<string>();
        var reader = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested || seen.Count < Count)
            {
                foreach (var file in Directory.Exists(_directory) ? Directory.GetFiles(_directory, "*.eml") : [])
                {
                    if (seen.Contains(file))
                        continue;
                    // Throws if the file is locked by the writer; a partial file parses to a shorter body.
                    var message = await MimeMessage.LoadAsync(file);
                    Assert.Equal(body, message.TextBody?.TrimEnd());
                    seen.Add(file);
                }
                await Task.Yield();
            }
        });

        for (var i = 0; i < Count; i++)
        {
            var message = new MimeMessage { MessageId = $"mail-{i}@kamachat", Subject = $"mail {i}" };
            message.From.Add(MailboxAddress.Parse("from@example.test"));
            message.To.Add(MailboxAddress.Parse("to@example.test"));
            message.Body = new TextPart("plain") { Text = body };
            await sender.SendAsync(message, link: null, CancellationToken.None);
        }
        await done.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Count, seen.Count);
        // Nothing but the finished files is left behind.
        Assert.Equal(Count, Directory.GetFiles(_directory).Length);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
