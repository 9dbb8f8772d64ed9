using System.Text;
using KamaChat.Server.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Infrastructure;

/// <summary>What the app stored, read back for assertions: snapshots (nothing written), event logs, counts.</summary>
public static class ChatState
{
    /// <summary>Everything chat-related that is stored, as text: two equal snapshots mean nothing was written in between.</summary>
    public static Task<string> SnapshotAsync(this KamaChatApp app) => app.QueryAsync(async db =>
    {
        var text = new StringBuilder();
        foreach (var s in await db.Servers.OrderBy(s => s.Id).ToListAsync())
            text.AppendLine($"server {s.Id} {s.Name} {s.Description} {s.IconUrl} {s.OwnerId}");
        foreach (var m in await db.Members.OrderBy(m => m.ServerId).ThenBy(m => m.UserId).ToListAsync())
            text.AppendLine($"member {m.ServerId} {m.UserId} {m.Nickname} {m.TimedOutUntil:O}");
        foreach (var r in await db.Roles.OrderBy(r => r.Id).ToListAsync())
            text.AppendLine($"role {r.Id} {r.Name} {(long)r.Permissions} {r.Position} {r.Color} {r.Mentionable} {r.Hoist}");
        foreach (var r in await db.MemberRoles.OrderBy(r => r.RoleId).ThenBy(r => r.UserId).ToListAsync())
            text.AppendLine($"member_role {r.UserId} {r.RoleId}");
        foreach (var b in await db.Bans.OrderBy(b => b.ServerId).ThenBy(b => b.UserId).ToListAsync())
            text.AppendLine($"ban {b.ServerId} {b.UserId} {b.Reason}");
        foreach (var i in await db.Invites.OrderBy(i => i.Code).ToListAsync())
            text.AppendLine($"invite {i.Code} {i.Uses} {i.RevokedAt is null}");
        foreach (var c in await db.Channels.OrderBy(c => c.Id).ToListAsync())
            text.AppendLine($"channel {c.Id} {c.Name} {c.Topic} {c.Position} {c.ParentId} {c.SlowModeSeconds} {c.IconUrl} {c.OwnerId}");
        foreach (var o in await db.PermissionOverwrites.OrderBy(o => o.ChannelId).ThenBy(o => o.TargetId).ToListAsync())
            text.AppendLine($"overwrite {o.ChannelId} {o.TargetType} {o.TargetId} {(long)o.Allow} {(long)o.Deny}");
        text.AppendLine($"recipients {await db.ChannelRecipients.CountAsync()}");
        text.AppendLine($"events {await db.EventLog.CountAsync()} messages {await db.Messages.CountAsync()} audit {await db.AuditLog.CountAsync()}");
        return text.ToString();
    });

    /// <summary>The event log of one stream, in sequence order.</summary>
    public static Task<List<EventLogEntry>> EventsAsync(this KamaChatApp app, EventScope scope, Snowflake scopeId) =>
        app.QueryAsync(db => db.EventLog.AsNoTracking().Where(e => e.Scope == scope && e.ScopeId == scopeId).OrderBy(e => e.Sequence).ToListAsync());

    /// <summary>Types of the events logged for one stream, oldest first.</summary>
    public static Task<List<string>> EventTypesAsync(this KamaChatApp app, EventScope scope, Snowflake scopeId) =>
        app.QueryAsync(db => db.EventLog.Where(e => e.Scope == scope && e.ScopeId == scopeId).OrderBy(e => e.Sequence).Select(e => e.Type).ToListAsync());

    /// <summary>Asserts the channel's events have exactly these types, numbered 1, 2, 3, ... without gaps.</summary>
    public static async Task<List<EventLogEntry>> AssertChannelEventsAsync(this KamaChatApp app, Snowflake channelId, params string[] types)
    {
        var events = await app.EventsAsync(EventScope.Channel, channelId);
        Assert.Equal(types, events.Select(e => e.Type));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        return events;
    }

    public static Task<int> MessageCountAsync(this KamaChatApp app, Snowflake channelId) =>
        app.QueryAsync(db => db.Messages.CountAsync(m => m.ChannelId == channelId));
}
