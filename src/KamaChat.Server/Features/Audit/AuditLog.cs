using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Permissions;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace KamaChat.Server.Features.Audit;

/// <summary>
/// Records audit log entries inside the caller's change: <see cref="Record"/> adds the row to the DbContext, so it is
/// saved by the change's commit and rolled back with it (a refused or failed change leaves no entry). The actor is the
/// request's user and the reason the request's <see cref="AuditReason.Header"/>, unless the caller gives one.
/// </summary>
public sealed class AuditLog(KamaDbContext db, SnowflakeGenerator ids, TimeProvider time, IHttpContextAccessor http)
{
    private static readonly IReadOnlyList<AuditChange> None = [];

    public void Record(Snowflake serverId, string action, Snowflake? targetId, IReadOnlyList<AuditChange>? changes = null, string? reason = null)
    {
        var context = http.HttpContext ?? throw new InvalidOperationException("Audit entries are recorded for requests: there is none.");
        db.AuditLog.Add(new AuditLogEntry
        {
            Id = ids.NextId(),
            ServerId = serverId,
            ActorId = CurrentUser.From(context.User).Id,
            Action = action,
            TargetId = targetId,
            Reason = reason ?? AuditReason.Of(context),
            Changes = JsonSerializer.Serialize(changes ?? None, Json),
            CreatedAt = time.GetUtcNow(),
        });
    }

    /// <summary>The request's reason (<see cref="AuditReason.Header"/>), for what else carries it (a kicked member's notice).</summary>
    public string? Reason => http.HttpContext is { } context ? AuditReason.Of(context) : null;

    /// <summary>
    /// What changed on a tracked entity: for an added one every set field, for a modified one the fields whose value
    /// differs from the loaded one, for a deleted one every field it had. Call it before the change saves.
    /// </summary>
    public IReadOnlyList<AuditChange> ChangesOf(object entity)
    {
        var entry = db.Entry(entity);
        return entry.State switch
        {
            Microsoft.EntityFrameworkCore.EntityState.Added => Snapshot(entry, created: true),
            Microsoft.EntityFrameworkCore.EntityState.Deleted => Snapshot(entry, created: false),
            _ => entry.Properties
                .Where(p => p.IsModified && !Equals(p.OriginalValue, p.CurrentValue))
                .Select(p => new AuditChange(Key(p), Text(p.OriginalValue), Text(p.CurrentValue)))
                .ToList(),
        };
    }

    /// <summary>Every field of an entity that is being created (old values null) or removed (new values null), tracked or not.</summary>
    public IReadOnlyList<AuditChange> Snapshot(object entity, bool created) => Snapshot(db.Entry(entity), created);

    private static List<AuditChange> Snapshot(EntityEntry entry, bool created) =>
        entry.Properties
            .Where(p => !p.Metadata.IsPrimaryKey() && !p.Metadata.IsForeignKey() && p.CurrentValue is not null)
            .Select(p => created ? new AuditChange(Key(p), null, Text(p.CurrentValue)) : new AuditChange(Key(p), Text(p.CurrentValue), null))
            .ToList();

    /// <summary>One field's change, for what is not an entity (an overwrite's bits, a member's role).</summary>
    public static AuditChange Change(string key, object? old, object? @new) => new(key, Text(old), Text(@new));

    private static string Key(PropertyEntry property) => JsonNamingPolicy.CamelCase.ConvertName(property.Metadata.Name);

    internal static string? Text(object? value) => value switch
    {
        null => null,
        Permissions.Permissions bits => bits.Text(),
        DateTimeOffset at => at.ToString("O", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        Enum named => JsonNamingPolicy.SnakeCaseLower.ConvertName(named.ToString()),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>
/// Why a moderator did something: the <c>X-Audit-Log-Reason</c> header (as Discord), percent-encoded UTF-8 so any
/// text fits a header, at most <see cref="AuditLogEntry.ReasonMaxLength"/> characters once decoded. The middleware
/// refuses an over-long one (or one with control characters) before any endpoint runs, so a change never happens without its reason.
/// </summary>
public static class AuditReason
{
    public const string Header = "X-Audit-Log-Reason";

    public static string? Of(HttpContext context) =>
        context.Items.TryGetValue(typeof(AuditReason), out var reason) ? reason as string : null;

    public static IApplicationBuilder UseAuditLogReason(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers[Header] is { Count: > 0 } values)
            {
                if (Decode(values.ToString()) is not { } reason)
                {
                    // Field names in problems are camelCase; the lowercase header name stays as it is.
                    await Infrastructure.Http.Problems.Validation(Header.ToLowerInvariant(),
                            $"The reason is percent-encoded UTF-8 text of at most {AuditLogEntry.ReasonMaxLength} characters.")
                        .ExecuteAsync(context);
                    return;
                }
                context.Items[typeof(AuditReason)] = reason.Length == 0 ? null : reason;
            }
            await next(context);
        });

    /// <summary>The decoded, trimmed reason; null when it holds control characters or is too long.</summary>
    internal static string? Decode(string header)
    {
        var text = Uri.UnescapeDataString(header).Trim();
        return text.Length > AuditLogEntry.ReasonMaxLength || text.Any(char.IsControl) ? null : text;
    }
}
