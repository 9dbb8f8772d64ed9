using KamaChat.Server.Features.Messages;

namespace KamaChat.Tests.Messages;

public sealed class MentionParserTests
{
    [Fact]
    public void User_and_role_mentions_are_found_and_deduplicated()
    {
        var parsed = MentionParser.Parse("<@12> <@!12> <@34> <@&56> <@&56> text");
        Assert.Equal([12L, 34L], parsed.Users.Select(u => u.Value).Order());
        Assert.Equal([56L], parsed.Roles.Select(r => r.Value));
        Assert.False(parsed.EveryoneOrHere);
    }

    [Theory]
    [InlineData("<@>")]
    [InlineData("<@abc>")]
    [InlineData("<@99999999999999999999>")]
    [InlineData("<@0>")]
    [InlineData("< @12>")]
    [InlineData("<@-12>")]
    public void Malformed_mentions_are_plain_text(string content)
    {
        var parsed = MentionParser.Parse(content);
        Assert.Empty(parsed.Users);
        Assert.Empty(parsed.Roles);
    }

    [Theory]
    [InlineData("@everyone", true)]
    [InlineData("hey @here!", true)]
    [InlineData("(@everyone)", true)]
    [InlineData("me@everyone.test", false)]
    [InlineData("@everyones", false)]
    [InlineData("`@everyone`", false)]
    [InlineData("everyone", false)]
    public void Everyone_and_here_are_recognised_only_as_words(string content, bool expected) =>
        Assert.Equal(expected, MentionParser.Parse(content).EveryoneOrHere);

    [Fact]
    public void At_most_a_hundred_targets_are_taken()
    {
        var parsed = MentionParser.Parse(string.Concat(Enumerable.Range(1, 150).Select(i => $"<@{i}>")));
        Assert.Equal(MentionParser.MaxTargets, parsed.Users.Count);
    }
}

public sealed class EmojiTests
{
    [Theory]
    [InlineData("😀")]
    [InlineData("👍🏽")]
    [InlineData("❤️")]
    [InlineData("❤")]
    [InlineData("👨‍💻")]
    [InlineData("🇯🇵")]
    [InlineData("#️⃣")]
    [InlineData("5⃣")]
    [InlineData("😀😀")]
    public void Emoji_are_valid(string emoji) => Assert.True(Emoji.IsValid(emoji));

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("7")]
    [InlineData("#")]
    [InlineData("é")]
    [InlineData("\u00A0")]
    [InlineData("\uFE0F")]
    [InlineData("\U0001F3FB")]
    [InlineData("😀\n")]
    [InlineData("😀a")]
    [InlineData("\uD83D")]
    public void Anything_else_is_not(string emoji) => Assert.False(Emoji.IsValid(emoji));

    [Fact]
    public void More_than_64_characters_is_too_long() => Assert.False(Emoji.IsValid(string.Concat(Enumerable.Repeat("😀", 33))));
}
