using System.Text;
using KamaChat.Server.Infrastructure.Http;

namespace KamaChat.Tests.Http;

/// <summary>
/// The byte scan that settles most JSON bodies without parsing them: it may send a safe body on to the full check, but
/// must never let through one whose strings decode to text <see cref="SafeText"/> refuses.
/// </summary>
public sealed class RequestTextScanTests
{
    [Theory]
    [InlineData("""{"content":"1234567890","nonce":"abc"}""")]
    [InlineData("{\"content\":\"line one\nline two\r\n\tindented\"}")]
    [InlineData("""{"content":"Привет 👋 café ½"}""")]
    [InlineData("""{"attachmentIds":["1","2"],"replyTo":null,"n":[1,2.5,true]}""")]
    public void Bodies_that_can_only_hold_allowed_text_are_settled_by_the_scan(string json)
    {
        Assert.True(RequestTextValidation.CannotHoldUnsafeText(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("""{"content":"a\u0000b"}""")] // an escape: only the parser knows what it decodes to
    [InlineData("""{"content":"a\nb"}""")] // even a harmless one
    [InlineData("{\"content\":\"bell \u0007\"}")] // a raw C0 control
    [InlineData("{\"content\":\"rub\u007fout\"}")] // DEL
    [InlineData("{\"content\":\"next\u0085line\"}")] // a C1 control, C2 85
    [InlineData("{\"content\u009f\":1}")] // in a name too
    public void Bodies_that_may_hold_refused_text_go_on_to_the_full_check(string json)
    {
        Assert.False(RequestTextValidation.CannotHoldUnsafeText(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Broken_utf8_goes_on_to_the_full_check()
    {
        // A lone surrogate's encoding (ED A0 80), a truncated sequence, and a C2 at the very end.
        Assert.False(RequestTextValidation.CannotHoldUnsafeText([.. "{\"c\":\"a"u8, 0xed, 0xa0, 0x80, .. "\"}"u8]));
        Assert.False(RequestTextValidation.CannotHoldUnsafeText([.. "{\"c\":\"a"u8, 0xe2, 0x82, .. "\"}"u8]));
        Assert.False(RequestTextValidation.CannotHoldUnsafeText([.. "{\"c\":\"a\"}"u8, 0xc2]));
        // C2 followed by a byte outside 80..9F is ordinary text (U+00A0..U+00BF).
        Assert.True(RequestTextValidation.CannotHoldUnsafeText([.. "{\"c\":\"a"u8, 0xc2, 0xa0, .. "\"}"u8]));
    }
}
