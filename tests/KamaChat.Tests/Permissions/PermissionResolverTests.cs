using KamaChat.Server.Features.Permissions;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Permissions;

public sealed class PermissionResolverTests
{
    private static readonly P Everyone = P.DefaultEveryone;

    private static P InChannel(P everyone, P[] roles, Overwrite? everyoneOverwrite = null, Overwrite[]? roleOverwrites = null, Overwrite? member = null, bool owner = false) =>
        PermissionResolver.Resolve(new PermissionInputs(owner, everyone, roles, new ChannelOverwrites(everyoneOverwrite, roleOverwrites ?? [], member)));

    [Fact]
    public void The_owner_has_everything_even_where_everyone_is_denied_all()
    {
        var result = InChannel(P.None, [], everyoneOverwrite: new Overwrite(P.None, P.All), owner: true);

        Assert.Equal(P.All, result);
    }

    [Fact]
    public void An_administrator_role_passes_every_channel_deny()
    {
        var result = InChannel(Everyone, [P.Administrator], everyoneOverwrite: new Overwrite(P.None, P.ViewChannel),
            member: new Overwrite(P.None, P.SendMessages));

        Assert.Equal(P.All, result);
    }

    [Fact]
    public void Everyone_without_send_cannot_send_in_the_server()
    {
        var result = PermissionResolver.Resolve(new PermissionInputs(false, Everyone & ~P.SendMessages, []));

        Assert.False(result.HasFlag(P.SendMessages));
        Assert.True(result.HasFlag(P.ViewChannel));
    }

    [Fact]
    public void A_role_adds_what_everyone_lacks()
    {
        var result = PermissionResolver.Resolve(new PermissionInputs(false, Everyone, [P.ManageMessages | P.Kick]));

        Assert.True(result.HasFlag(P.ManageMessages));
        Assert.True(result.HasFlag(P.Kick));
        Assert.False(result.HasFlag(P.Ban));
    }

    [Fact]
    public void An_everyone_overwrite_deny_hides_a_channel_entirely()
    {
        var result = InChannel(Everyone, [], everyoneOverwrite: new Overwrite(P.None, P.ViewChannel));

        Assert.Equal(P.None, result);
    }

    [Fact]
    public void A_role_overwrite_allow_beats_the_everyone_overwrite_deny()
    {
        var result = InChannel(Everyone, [P.None], everyoneOverwrite: new Overwrite(P.None, P.ViewChannel | P.SendMessages),
            roleOverwrites: [new Overwrite(P.ViewChannel, P.None)]);

        Assert.True(result.HasFlag(P.ViewChannel));
        Assert.False(result.HasFlag(P.SendMessages));
    }

    [Fact]
    public void An_overwrite_deny_beats_a_server_wide_role_allow()
    {
        var result = InChannel(Everyone, [P.ManageMessages], roleOverwrites: [new Overwrite(P.None, P.ManageMessages | P.SendMessages)]);

        Assert.False(result.HasFlag(P.ManageMessages));
        Assert.False(result.HasFlag(P.SendMessages));
        Assert.True(result.HasFlag(P.ViewChannel));
    }

    [Fact]
    public void Among_role_overwrites_an_allow_beats_a_deny()
    {
        var result = InChannel(Everyone, [P.None, P.None],
            roleOverwrites: [new Overwrite(P.None, P.SendMessages), new Overwrite(P.SendMessages, P.None)]);

        Assert.True(result.HasFlag(P.SendMessages));
    }

    [Fact]
    public void A_member_overwrite_beats_role_overwrites_both_ways()
    {
        var denied = InChannel(Everyone, [P.None], roleOverwrites: [new Overwrite(P.SendMessages, P.None)],
            member: new Overwrite(P.None, P.SendMessages));
        var allowed = InChannel(Everyone, [P.None], roleOverwrites: [new Overwrite(P.None, P.SendMessages)],
            member: new Overwrite(P.SendMessages, P.None));

        Assert.False(denied.HasFlag(P.SendMessages));
        Assert.True(allowed.HasFlag(P.SendMessages));
    }

    [Fact]
    public void Without_view_nothing_else_in_the_channel_counts()
    {
        var result = InChannel(Everyone, [], member: new Overwrite(P.SendMessages | P.AttachFiles, P.ViewChannel));

        Assert.Equal(P.None, result);
    }
}
