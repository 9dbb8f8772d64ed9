using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Servers;

/// <summary>
/// Discord's temporary membership: someone who joined through a temporary invite leaves the server when they go
/// offline, unless they were given a role in the meantime. The gateway calls this when a user's last connection
/// (on any node) has been gone for the presence grace period.
/// </summary>
public sealed class TemporaryMembership(KamaDbContext db, EventLog events)
{
    public async Task<int> ExpireAsync(Snowflake userId, CancellationToken cancellationToken)
    {
        var servers = await db.Members
            .Where(m => m.UserId == userId && m.Temporary && !m.Roles.Any())
            .Select(m => m.ServerId)
            .ToListAsync(cancellationToken);
        if (servers.Count == 0)
            return 0;

        await using var change = await events.BeginAsync(cancellationToken);
        foreach (var serverId in servers)
            await MemberEndpoints.RemoveAsync(db, change, serverId, userId, "temporary", null, cancellationToken);
        await change.CommitAsync(cancellationToken);
        return servers.Count;
    }
}
