using KamaChat.Server.Data;
using KamaChat.Server.Features.Messages;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Search;

/// <summary>A found message: where to highlight its content, and its neighbours in the channel for context.</summary>
public sealed record SearchHit(Snowflake MessageId, Snowflake ChannelId, IReadOnlyList<HighlightRange> Highlights, Snowflake? PreviousMessageId, Snowflake? NextMessageId);

/// <summary>One page of results; <see cref="Total"/> stops counting at <see cref="MessageSearch.CountCap"/> ("1,000+").</summary>
public sealed record SearchResults(IReadOnlyList<SearchHit> Hits, int Total, bool TotalIsCapped)
{
    public static readonly SearchResults Empty = new([], 0, false);
}

/// <summary>
/// Message search. The caller decides what may be searched — the channel ids the user may read now — so permissions
/// come from the one permission resolver. A small planner picks how to search: when the filters (<c>from:</c>, dates,
/// <c>mentions:</c>, <c>pinned:</c>, or simply a small set of channels) leave few messages, ordinary indexes find them
/// and the text is checked in memory; otherwise the text index drives, newest (or oldest) first, and stops early.
/// </summary>
public sealed class MessageSearch(KamaDbContext db, ILookupNormalizer normalizer, IOptions<SearchOptions> options, TrigramSamples trigramSamples)
{
    /// <summary>Totals stop here: counting every match of a common word costs more than "1,000+" is worth.</summary>
    public const int CountCap = 1000;

    public const int MaxOffset = 5000;

    public const int MaxLimit = 25;

    /// <summary>Relevance orders this many of the newest matches (at least), then pages through them.</summary>
    public const int RelevanceWindow = CountCap;

    public async Task<SearchResults> SearchAsync(
        SearchQuery query, IReadOnlyCollection<Snowflake> readableChannelIds, SearchSort sort, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, MaxOffset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
        if (query.IsEmpty)
            throw new ArgumentException("An empty query matches everything; the endpoint refuses it.", nameof(query));

        var filter = await ResolveAsync(query, readableChannelIds, cancellationToken);
        if (filter is null)
            return SearchResults.Empty;

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var window = sort == SearchSort.Relevance ? Math.Max(RelevanceWindow, offset + limit) : offset + limit;
            // One more than the cap tells "1,000+" from exactly 1,000.
            var (matches, matched) = await FindAsync(query, filter, sort == SearchSort.Oldest, window, CountCap + 1, cancellationToken);
            var total = Math.Min(matched, CountCap);
            var capped = matched > CountCap;

            var matcher = new SearchMatcher(query);
            var page = matches.Skip(offset).Take(limit).ToList();
            if (sort == SearchSort.Relevance && query.Include.Count > 0)
            {
                var candidates = matches.Take(window).ToList();
                var contents = await ContentsAsync(candidates, cancellationToken);
                var newest = candidates.Count == 0 ? default : candidates.Max();
                page = candidates
                    .Select(id => (Id: id, Score: matcher.Score(contents.GetValueOrDefault(id, "")) + Recency(id, newest)))
                    .OrderByDescending(x => x.Score).ThenByDescending(x => x.Id)
                    .Skip(offset).Take(limit).Select(x => x.Id).ToList();
            }

            var found = await PageAsync(page, cancellationToken);
            var hits = page.Where(found.ContainsKey).Select(id =>
            {
                var (channelId, content, previous, next) = found[id];
                return new SearchHit(id, channelId, matcher.Highlights(content), previous, next);
            }).ToList();
            return new SearchResults(hits, total, capped);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The planner: filters first when they leave few messages, else the text index. The first <paramref name="need"/>
    /// matches in order, and how many match, counted up to <paramref name="countTo"/>.
    /// </summary>
    private async Task<(List<Snowflake> Ids, int Found)> FindAsync(
        SearchQuery query, SearchFilter filter, bool oldestFirst, int need, int countTo, CancellationToken cancellationToken)
    {
        var candidates = await FilteredCandidatesAsync(filter, cancellationToken);
        if (candidates is null)
            return await SearchEngine.For(db, trigramSamples, options.Value.TextPlan, options.Value.AllTrigrams).FindAndCountAsync(db, query, filter, oldestFirst, need, countTo, cancellationToken);

        var matcher = new SearchMatcher(query);
        var matches = candidates.Where(c => matcher.Matches(c.Content)).Select(c => c.Id).ToList();
        return ((oldestFirst ? matches.Order() : matches.OrderDescending()).Take(need).ToList(), Math.Min(matches.Count, countTo));
    }

    /// <summary>
    /// All messages passing the filters, when there are at most <see cref="SearchOptions.FilterDrivenLimit"/>; else null. A count over
    /// the indexed filters comes first, so a large channel set costs an index range, not its contents.
    /// </summary>
    private async Task<List<(Snowflake Id, string Content)>?> FilteredCandidatesAsync(SearchFilter filter, CancellationToken cancellationToken)
    {
        var limit = options.Value.FilterDrivenLimit;
        if (limit == 0)
            return null;
        await using var command = RawCommands.Create(db, 1);
        var postgres = db is PostgresKamaDbContext;
        var sql = new SearchSql(command, postgres);
        sql.AddFilter(filter, indexedOnly: true);
        command.CommandText = $"SELECT count(*) FROM (SELECT 1 FROM messages m {sql.WhereClause} LIMIT {limit + 1}) AS x";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > limit)
            return null;

        await using var load = RawCommands.Create(db, 1);
        var full = new SearchSql(load, postgres);
        full.AddFilter(filter);
        load.CommandText = $"SELECT m.\"Id\", m.\"Content\" FROM messages m {full.WhereClause}";
        var rows = new List<(Snowflake, string)>();
        await using var reader = await load.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add((new Snowflake(reader.GetInt64(0)), reader.GetString(1)));
        return rows;
    }

    /// <summary>Names in the query become ids; null when a name matches nothing, so nothing can match.</summary>
    private async Task<SearchFilter?> ResolveAsync(SearchQuery query, IReadOnlyCollection<Snowflake> readableChannelIds, CancellationToken cancellationToken)
    {
        var readable = readableChannelIds.ToHashSet();
        var channels = readable;
        if (query.ChannelIds.Count > 0 || query.InChannelNames.Count > 0)
        {
            var names = query.InChannelNames.Select(n => n.ToLowerInvariant()).ToList();
            var named = names.Count == 0
                ? []
                : await db.Channels.AsNoTracking()
                    .Where(c => readable.Contains(c.Id) && c.Name != null && names.Contains(c.Name.ToLower()))
                    .Select(c => c.Id).ToListAsync(cancellationToken);
            channels = query.ChannelIds.Concat(named).Where(readable.Contains).ToHashSet();
        }
        if (channels.Count == 0)
            return null;

        var authors = await UserIdsAsync(query.FromUsernames, query.AuthorIds, cancellationToken);
        var mentioned = await UserIdsAsync(query.MentionsUsernames, query.MentionIds, cancellationToken);
        if (authors is null || mentioned is null)
            return null;
        if (query.BeforeId is { } before && query.AfterId is { } after && before.Value <= after.Value + 1)
            return null;
        return new SearchFilter(channels, authors, mentioned, query.Has, query.Pinned, query.BeforeId, query.AfterId);
    }

    /// <summary>The ids plus the users named; null when names were given and none exists.</summary>
    private async Task<List<Snowflake>?> UserIdsAsync(IReadOnlyList<string> usernames, IReadOnlyList<Snowflake> ids, CancellationToken cancellationToken)
    {
        if (usernames.Count == 0)
            return ids.ToList();
        var normalized = usernames.Select(n => normalizer.NormalizeName(n)).ToList();
        var found = await db.Users.AsNoTracking().Where(u => u.NormalizedUserName != null && normalized.Contains(u.NormalizedUserName))
            .Select(u => u.Id).ToListAsync(cancellationToken);
        return found.Count == 0 && ids.Count == 0 ? null : [.. ids, .. found];
    }

    private async Task<Dictionary<Snowflake, string>> ContentsAsync(List<Snowflake> ids, CancellationToken cancellationToken) =>
        ids.Count == 0
            ? []
            : await db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Content, cancellationToken);

    /// <summary>
    /// The page's messages, in one query: each one's channel, content (for highlights) and the messages just before and
    /// after it in its channel (the (channel, id) index answers both).
    /// </summary>
    private async Task<Dictionary<Snowflake, (Snowflake ChannelId, string Content, Snowflake? Previous, Snowflake? Next)>> PageAsync(
        List<Snowflake> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
            return [];
        var rows = await db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id))
            .Select(m => new
            {
                m.Id,
                m.ChannelId,
                m.Content,
                Previous = db.Messages.Where(p => p.ChannelId == m.ChannelId && p.Id < m.Id).Max(p => (Snowflake?)p.Id),
                Next = db.Messages.Where(n => n.ChannelId == m.ChannelId && n.Id > m.Id).Min(n => (Snowflake?)n.Id),
            })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Id, r => (r.ChannelId, r.Content, r.Previous, r.Next));
    }

    /// <summary>Up to 0.5 for the newest candidate, halving every 30 days older than it.</summary>
    private static double Recency(Snowflake id, Snowflake newestId)
    {
        var age = newestId.Timestamp - id.Timestamp;
        return 0.5 * Math.Pow(0.5, age.TotalDays / 30);
    }
}
