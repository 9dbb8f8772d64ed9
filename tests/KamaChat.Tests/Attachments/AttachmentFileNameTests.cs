using KamaChat.Server.Features.Attachments;

namespace KamaChat.Tests.Attachments;

public sealed class AttachmentFileNameTests
{
    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\ada\\Desktop\\report.pdf", "report.pdf")]
    [InlineData("photo\u202Egpj.exe", "photogpj.exe")] // a right-to-left override would show it as "photoexe.jpg"
    [InlineData("a\u2066b\u2069c\u200B.txt", "abc.txt")]
    [InlineData("line\nbreak\t.txt", "linebreak.txt")]
    [InlineData("  ..  ", AttachmentFileName.Fallback)]
    [InlineData("", AttachmentFileName.Fallback)]
    [InlineData(".bashrc", "bashrc")]
    [InlineData("Café Ñandú 日本.png", "Café Ñandú 日本.png")]
    public void Names_lose_path_parts_controls_and_bidi_overrides(string name, string expected) =>
        Assert.Equal(expected, AttachmentFileName.Sanitize(name));

    [Fact]
    public void Long_names_are_cut_keeping_their_extension()
    {
        var sanitized = AttachmentFileName.Sanitize(new string('a', 400) + ".jpeg");

        Assert.Equal(Attachment.FileNameMaxLength, sanitized.Length);
        Assert.EndsWith("a.jpeg", sanitized, StringComparison.Ordinal);
    }
}
