using System.Data.Common;
using KamaChat.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// Finds the ids of matching messages with one provider's text index. Both engines match the same thing: every included
/// word or phrase appears in the content as a substring, folded for case and accents, no excluded one does, and the
/// filters hold. Terms shorter than three characters cannot use a trigram index and are checked with LIKE.
/// </summary>
internal abstract class SearchEngine
{
    /// <summary>Shorter words and phrases cannot use a trigram index.</summary>
    public const int TrigramLength = 3;

    /// <summary>At most <paramref name="take"/> matching ids, newest first (or oldest first).</summary>
    public abstract Task<List<Snowflake>> FindAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, bool oldestFirst, int take, CancellationToken cancellationToken);

    /// <summary>
    /// The first <paramref name="need"/> matching ids in order, and how many match, counted up to <paramref name="countTo"/>.
    /// Here both come from one list of the first max(need, countTo) matches; an engine may count more cheaply.
    /// </summary>
    public virtual async Task<(List<Snowflake> Ids, int Found)> FindAndCountAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, bool oldestFirst, int need, int countTo, CancellationToken cancellationToken)
    {
        var ids = await FindAsync(db, query, filter, oldestFirst, Math.Max(need, countTo), cancellationToken);
        return (ids.Count > need ? ids[..need] : ids, Math.Min(ids.Count, countTo));
    }

    /// <param name="trigramSamples">The node's samples that tell how common a trigram is: which ones the index is asked for.</param>
    /// <param name="allTrigrams">Tests only: PostgreSQL asks its index for every trigram of a text, as before the choice.</param>
    public static SearchEngine For(KamaDbContext db, TrigramSamples trigramSamples, SearchTextPlan plan = SearchTextPlan.Auto, bool allTrigrams = false) =>
        db is PostgresKamaDbContext ? new PostgresSearchEngine(plan, allTrigrams ? null : trigramSamples.Postgres) : new SqliteSearchEngine(trigramSamples.Sqlite, plan);

    protected static async Task<List<Snowflake>> ReadIdsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var ids = new List<Snowflake>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(new Snowflake(reader.GetInt64(0)));
        return ids;
    }

    internal static Task<DbCommand> CommandAsync(KamaDbContext db, CancellationToken cancellationToken) => CommandAsync(db, statements: 1, cancellationToken);

    /// <summary>A command of <paramref name="statements"/> statements on the search's open connection, counted (<see cref="RawCommands"/>).</summary>
    internal static async Task<DbCommand> CommandAsync(KamaDbContext db, int statements, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        return RawCommands.Create(db, statements);
    }

    protected static string Direction(bool oldestFirst) => oldestFirst ? "ASC" : "DESC";
}

/// <summary>
/// SQLite: an FTS5 external-content table (<c>messages_fts</c>, trigram tokenizer, case- and diacritic-insensitive) kept
/// in step by triggers and the indexer (below). The query walks the FTS index in rowid (= message id = time) order and stops at
/// <c>LIMIT</c>, which keeps even very common words fast.
/// <para>
/// A word of six or more characters is several trigrams, and FTS5 answers its phrase by reading every trigram's
/// doclist; trigrams are shared by many words ("ter", "ion"), so a rare word costs as much as its most common parts.
/// Such a word is matched instead by its rarest trigrams (at least <see cref="SelectedTrigrams"/>, their rarity estimated from
/// a spread sample and the index itself), and the candidates are checked in memory with the same folding as the index; the check is what
/// makes the answer exact, the choice only how much is read. When a trigram apart from the rarest (sharing no character
/// with it: in a phrase, often the one across the space) is worth reading, the two are looked up at their distance in
/// the text instead (FTS5 NEAR), which comes close to the text itself at the cost of two doclists. When the candidates
/// prove mostly near misses, the exact phrase goes on instead, where its doclists cost less than the candidates left.
/// </para>
/// <para>
/// Two-character CJK terms have no trigram: when nothing else can use the FTS index, the <c>message_bigrams_fts</c> index
/// (FTS5 too, kept by triggers, see <see cref="SearchBigrams"/>) drives instead, walked in message id order the same way.
/// </para>
/// <para>
/// Both indexes are written after the sends, in bulk (<see cref="SqliteSearchIndexer"/>); the messages sent since its last
/// run wait in <c>message_search_pending</c> and every search reads them too, checked in memory (<see cref="FindAsync"/>).
/// </para>
/// </summary>
internal sealed class SqliteSearchEngine(TrigramSampleCache<SqliteTrigramSample> trigramSamples, SearchTextPlan plan = SearchTextPlan.Auto) : SearchEngine
{
    /// <summary>A longer word or phrase is looked up by at least this many of its trigrams, the rarest, and checked in memory.</summary>
    public const int SelectedTrigrams = 3;

    /// <summary>How rare a trigram is: how far back (in ids) its newest this-many occurrences reach.</summary>
    private const int ProbeDepth = 128;

    /// <summary>Candidates read before their precision is judged: below one in <see cref="MinimumPrecision"/>, exact phrases take over.</summary>
    private const int PrecisionSample = 512;

    private const int MinimumPrecision = 4;

    /// <summary>Messages read walking newest first before judging whether the text is common enough to go on walking.</summary>
    public const int WalkProbeRows = 1000;

    /// <summary>Go on walking when the rest of the page and count should take at most this many more messages.</summary>
    private const int WalkBudget = 10_000;

    /// <summary>
    /// The index's matches and the pending messages' (sent, not indexed yet: <see cref="SqliteSearchIndexer"/>), merged in
    /// order. The pending ones are read first: a message only ever leaves them for the index, so one that left between
    /// the two reads is in the index by the time it is read, never in neither (and one in both is counted once). The
    /// plans below that read <c>messages</c> itself (the walk, the short words' scan) may meet pending messages too: what
    /// they say of those is replaced by the in-memory check of the pending ones, the same for every plan.
    /// </summary>
    public override async Task<List<Snowflake>> FindAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, bool oldestFirst, int take, CancellationToken cancellationToken)
    {
        var (pending, pendingMatches) = await PendingAsync(db, query, filter, cancellationToken);
        var ids = await FindIndexedAsync(db, query, filter, oldestFirst, take, cancellationToken);
        if (pending.Count == 0)
            return ids;
        var merged = ids.Where(id => !pending.Contains(id)).Concat(pendingMatches);
        return [.. (oldestFirst ? merged.Order() : merged.OrderDescending()).Take(take)];
    }

    /// <summary>
    /// The pending messages that pass the filters (their ids), and those of them whose text matches, checked in memory
    /// with the same folding as the index (<see cref="SearchMatcher"/>). A short tail: what was sent since the indexer's
    /// last run, a second's worth.
    /// </summary>
    private static async Task<(HashSet<Snowflake> Filtered, List<Snowflake> Matches)> PendingAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(db, cancellationToken);
        var sql = new SearchSql(command, postgres: false);
        sql.AddFilter(filter);
        // CROSS JOIN: from the few pending ids to their messages, never the other way round.
        command.CommandText = $"""
            SELECT m."Id", m."Content" FROM {PendingTable} p CROSS JOIN messages m ON m."Id" = p."Id"
            {sql.WhereClause}
            """;
        var matcher = new SearchMatcher(query);
        var (filtered, matches) = (new HashSet<Snowflake>(), new List<Snowflake>());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = new Snowflake(reader.GetInt64(0));
            filtered.Add(id);
            if (matcher.Matches(reader.GetString(1)))
                matches.Add(id);
        }
        return (filtered, matches);
    }

    private const string PendingTable = Data.Migrations.Sqlite.SearchIndexedAfterCommit.PendingTable;

    private async Task<List<Snowflake>> FindIndexedAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, bool oldestFirst, int take, CancellationToken cancellationToken)
    {
        // Common text first: walking the messages newest first finds its newest matches sooner than FTS5, which reads a
        // term's whole doclist to go through it backwards. The walk stops early when the text proves rarer.
        var ids = new List<Snowflake>();
        long? walkedTo = null;
        if (plan != SearchTextPlan.Index && (query.Include.Count > 0 || query.Has.HasFlag(SearchHas.Link)))
        {
            walkedTo = await WalkAsync(db, query, filter, oldestFirst, take, ids, cancellationToken);
            if (walkedTo is null)
                return ids;
        }

        // Words and phrases with more trigrams than are worth reading: matched by their rarest ones, then checked.
        var checkedTexts = query.Include.Where(t => Trigrams(t.Folded).Count > SelectedTrigrams).Select(t => t.Folded).Distinct().ToList();
        var lookup = await SelectedTrigramsAsync(db, checkedTexts, cancellationToken);
        var rarest = lookup.Selected;
        if (rarest.Count == 0)
        {
            await using var exact = await CommandAsync(db, query, filter, oldestFirst, rarest, walkedTo, take - ids.Count, cancellationToken);
            ids.AddRange(await ReadIdsAsync(exact, cancellationToken));
            return ids;
        }

        // Candidates in order, checked as they come; reading stops when enough have passed.
        var start = walkedTo ?? (oldestFirst ? filter.AfterId?.Value ?? lookup.Oldest : filter.BeforeId?.Value ?? lookup.Newest);
        var phraseEntries = checkedTexts.SelectMany(Trigrams).Distinct(StringComparer.Ordinal).Sum(t => lookup.Counts[t]);
        var (read, found, last, imprecise) = (0, 0, 0L, false);
        await using (var command = await CommandAsync(db, query, filter, oldestFirst, rarest, walkedTo, limit: null, cancellationToken))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (ids.Count < take && await reader.ReadAsync(cancellationToken))
            {
                last = reader.GetInt64(0);
                var folded = FoldedText.Fold(reader.GetString(1));
                if (checkedTexts.TrueForAll(t => folded.Contains(t, StringComparison.Ordinal)))
                {
                    ids.Add(new Snowflake(last));
                    found++;
                }
                // Common words side by side ("you like"): their rarest trigrams still come together everywhere, and the
                // positions only the phrase index holds can be cheaper than reading every candidate. It goes on from here.
                // Only when cheaper: the phrase reads the doclists of every trigram, common ones too ("the", "len": 1,200
                // to 20,000 pages at 1,000,000 messages), and a rare word made of common syllables ("corlenmorzu", 916
                // candidates for 40 matches) costs less read candidate by candidate.
                if (++read % PrecisionSample == 0 && found * MinimumPrecision < read && ids.Count < take
                    && PhraseIsCheaper(read, Math.Abs(last - start), phraseEntries, lookup.Newest - lookup.Oldest + 1))
                {
                    imprecise = true;
                    break;
                }
            }
        }
        if (!imprecise)
            return ids;
        await using var rest = await CommandAsync(db, query, filter, oldestFirst, [], resumeAfter: last, take - ids.Count, cancellationToken);
        ids.AddRange(await ReadIdsAsync(rest, cancellationToken));
        return ids;
    }

    /// <summary>
    /// Whether the exact phrase index reads fewer pages than the candidates over the rest of the range: ids are times, so
    /// both are compared per unit of id. So far <paramref name="read"/> candidates over <paramref name="readSpan"/> ids,
    /// each about <see cref="PagesPerCandidate"/> pages; the phrase reads every entry of its trigrams' doclists
    /// (<paramref name="phraseEntries"/> over the whole history, <paramref name="historySpan"/>), about
    /// <see cref="PhraseEntriesPerPage"/> a page.
    /// </summary>
    internal static bool PhraseIsCheaper(int read, long readSpan, double phraseEntries, long historySpan) =>
        read * PagesPerCandidate * historySpan > phraseEntries / PhraseEntriesPerPage * Math.Max(1, readSpan);

    /// <summary>Pages read for each candidate checked (its row in messages, found by id), measured at 1,000,000 messages: about 1.9.</summary>
    private const double PagesPerCandidate = 2;

    /// <summary>Doclist entries an exact phrase reads per page (positions included), measured at 1,000,000 messages: 150–165.</summary>
    private const double PhraseEntriesPerPage = 150;

    /// <summary>
    /// Walks the messages in order, checking each in memory (the same folding as the index), into <paramref name="ids"/>.
    /// The first <see cref="WalkProbeRows"/> messages in range are read whatever the filters (so narrow filters cannot make
    /// the probe long), the filters checked in the same statement; when the share that matched says the rest would take
    /// more than <see cref="WalkBudget"/> more messages, the walk gives way to the index and returns the last id read, for
    /// it to go on after. Null when the walk is done (enough found, or the range ended).
    /// </summary>
    private async Task<long?> WalkAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, bool oldestFirst, int take, List<Snowflake> ids, CancellationToken cancellationToken)
    {
        var matcher = new SearchMatcher(query);
        var (read, last) = (0, 0L);
        await using (var probe = await CommandAsync(db, cancellationToken))
        {
            var sql = new SearchSql(probe, postgres: false);
            var bounds = new List<string>();
            if (filter.BeforeId is { } before)
                bounds.Add($"\"Id\" < {sql.Parameter(before.Value)}");
            if (filter.AfterId is { } after)
                bounds.Add($"\"Id\" > {sql.Parameter(after.Value)}");
            sql.AddFilter(filter);
            probe.CommandText = $"""
                SELECT m."Id", CASE WHEN {sql.Condition} THEN m."Content" END
                FROM (SELECT * FROM messages {(bounds.Count == 0 ? "" : "WHERE " + string.Join(" AND ", bounds))} ORDER BY "Id" {Direction(oldestFirst)} LIMIT {WalkProbeRows}) AS m
                ORDER BY m."Id" {Direction(oldestFirst)}
                """;
            await using var reader = await probe.ExecuteReaderAsync(cancellationToken);
            while (ids.Count < take && await reader.ReadAsync(cancellationToken))
            {
                (read, last) = (read + 1, reader.GetInt64(0));
                if (!reader.IsDBNull(1) && matcher.Matches(reader.GetString(1)))
                    ids.Add(new Snowflake(last));
            }
        }
        if (ids.Count >= take || read < WalkProbeRows)
            return null;
        if (plan != SearchTextPlan.Walk && (ids.Count == 0 || (take - ids.Count) * (double)read / ids.Count > WalkBudget))
            return last;

        await using var command = await CommandAsync(db, cancellationToken);
        var rest = new SearchSql(command, postgres: false);
        rest.AddFilter(filter, timeOrdered: true);
        rest.Where($"m.\"Id\" {(oldestFirst ? ">" : "<")} {rest.Parameter(last)}");
        command.CommandText = $"SELECT m.\"Id\", m.\"Content\" FROM messages m\n{rest.WhereClause}\nORDER BY m.\"Id\" {Direction(oldestFirst)}";
        await using var rows = await command.ExecuteReaderAsync(cancellationToken);
        while (ids.Count < take && await rows.ReadAsync(cancellationToken))
        {
            if (matcher.Matches(rows.GetString(1)))
                ids.Add(new Snowflake(rows.GetInt64(0)));
        }
        return null;
    }

    /// <summary>
    /// The search statement: ids in order (and the content, when <paramref name="rarest"/> stands in for some words and
    /// phrases, for the caller to check), after <paramref name="resumeAfter"/> in that order, at most <paramref name="limit"/>.
    /// </summary>
    private static async Task<DbCommand> CommandAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, bool oldestFirst, Dictionary<string, List<string>> rarest, long? resumeAfter, int? limit,
        CancellationToken cancellationToken)
    {
        var command = await CommandAsync(db, cancellationToken);
        var sql = new SearchSql(command, postgres: false);
        var include = query.Include.Where(t => t.Length >= TrigramLength).ToList();
        var exclude = query.Exclude.Where(t => t.Length >= TrigramLength).ToList();

        var matchParts = include.Select(t => rarest.TryGetValue(t.Folded, out var parts) ? string.Join(" AND ", parts) : Phrase(t.Folded)).ToList();
        if (query.Has.HasFlag(SearchHas.Link))
            matchParts.Add("(" + string.Join(" OR ", SearchText.Links.Select(t => Phrase(t.Folded))) + ")");
        string from, order;
        if (matchParts.Count > 0)
        {
            var match = "(" + string.Join(" AND ", matchParts) + ")";
            if (exclude.Count > 0)
                match += " NOT (" + string.Join(" OR ", exclude.Select(t => Phrase(t.Folded))) + ")";
            // CROSS JOIN keeps the FTS table outermost, so SQLite walks it in rowid order and stops at LIMIT.
            from = "messages_fts f CROSS JOIN messages m ON m.\"Id\" = f.rowid";
            order = "f.rowid";
            sql.Where($"messages_fts MATCH {sql.Parameter(match)}");
        }
        else if (query.Include.Select(t => SearchBigrams.Of(t.Folded)).FirstOrDefault(b => b is not null) is { } bigram)
        {
            // Only short terms, one of them two characters of a script without spaces: its bigram's messages, walked
            // newest (or oldest) first in the bigram index's rowid order; LIKE below keeps the answer exact.
            from = "message_bigrams_fts b CROSS JOIN messages m ON m.\"Id\" = b.rowid";
            order = "b.rowid";
            sql.Where($"message_bigrams_fts MATCH {sql.Parameter(Phrase(bigram))}");
        }
        else
        {
            from = "messages m";
            order = "m.\"Id\"";
        }
        // Date bounds as bounds of the walked index itself (FTS rowids, bigram keys): it seeks to them instead of reading
        // the newer (or older) matches. (On messages itself they repeat the filter's own.)
        if (filter.BeforeId is { } before)
            sql.Where($"{order} < {sql.Parameter(before.Value)}");
        if (filter.AfterId is { } after)
            sql.Where($"{order} > {sql.Parameter(after.Value)}");
        if (matchParts.Count == 0)
        {
            foreach (var text in exclude)
                sql.Where($"NOT EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH {sql.Parameter(Phrase(text.Folded))} AND rowid = m.\"Id\")");
            // The index cannot exclude what it does not hold yet: pending messages come from FindAsync's own check alone
            // (also one sent after it read them, which this statement could otherwise pass unexcluded).
            if (exclude.Count > 0)
                sql.Where($"NOT EXISTS (SELECT 1 FROM {PendingTable} WHERE \"Id\" = m.\"Id\")");
        }
        if (resumeAfter is { } resume)
            sql.Where($"{order} {(oldestFirst ? ">" : "<")} {sql.Parameter(resume)}");
        // SQLite's LIKE folds the case of ASCII letters only: for content all ASCII that is the folding of the index, and
        // for any content a match of the folded term is one in the folded content too (folding goes character by
        // character, and a folded term holds no accent or mark). Other content that LIKE passes over is folded the index's
        // way (SqliteSearchFold): "é" is in "CAFÉ", "ss" in "Straße". Only that content pays for the call.
        if (query.Include.Concat(query.Exclude).Any(t => t.Length < TrigramLength))
            SqliteSearchFold.Register(command.Connection!);
        string Matches(SearchText text)
        {
            const string Content = "m.\"Content\"";
            var like = $"{Content} LIKE {sql.Parameter(SearchSql.ContainsPattern(text.Folded))} ESCAPE '\\'";
            var folded = $"instr({SqliteSearchFold.Function}({Content}), {sql.Parameter(text.Folded)}) > 0";
            return $"({like} OR (octet_length({Content}) > length({Content}) AND {folded}))";
        }
        foreach (var text in query.Include.Where(t => t.Length < TrigramLength))
            sql.Where(Matches(text));
        foreach (var text in query.Exclude.Where(t => t.Length < TrigramLength))
            sql.Where($"NOT ({Matches(text)})");
        sql.AddFilter(filter, timeOrdered: matchParts.Count == 0);

        var columns = rarest.Count > 0 ? "m.\"Id\", m.\"Content\"" : "m.\"Id\"";
        command.CommandText = $"SELECT {columns} FROM {from}\n{sql.WhereClause}\nORDER BY {order} {Direction(oldestFirst)}{(limit is { } l ? $" LIMIT {l}" : "")}";
        return command;
    }

    /// <summary>
    /// For each text, the trigrams to look it up by: its <see cref="SelectedTrigrams"/> rarest, and then more of the
    /// rarest while they are in fewer than one message in <see cref="CheapTrigramShare"/>, up to <see cref="MostTrigrams"/>.
    /// A further trigram costs its doclist (about one page for every 150 entries, intersected) and saves about two pages
    /// for every candidate it rules out. The rarest three often overlap and then narrow little: "tpr", "atp" and "rim" of
    /// "satprimorrel" come together in 4,950 messages at 1,000,000, "orr" and "imo" besides in 591, and reading those two
    /// doclists costs far less than the candidates they rule out (10,542 pages to 2,967). A trigram in one message in ten
    /// or more costs hundreds of pages and rules out less than that (with "mor", in 346,511 messages, the same 591).
    /// </summary>
    private async Task<TrigramLookup> SelectedTrigramsAsync(KamaDbContext db, List<string> texts, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (texts.Count == 0)
            return new TrigramLookup(result, [], 0, 0);
        var trigrams = texts.SelectMany(Trigrams).Distinct(StringComparer.Ordinal).ToList();
        var (messages, counts, newest, oldest) = await ProbeAsync(db, await trigramSamples.GetAsync(cancellationToken) ?? SqliteTrigramSample.Empty, trigrams, cancellationToken);
        foreach (var text in texts)
        {
            var rarest = Trigrams(text).OrderBy(t => counts[t]).ToList();
            var selected = rarest.Take(SelectedTrigrams).Concat(rarest.Skip(SelectedTrigrams).TakeWhile(t => counts[t] * CheapTrigramShare < messages))
                .Take(MostTrigrams).ToList();
            // With a trigram apart from the rarest, the two at their distance in the text (FTS5 NEAR reads the positions of
            // those two doclists only) come close to the phrase itself: "e t" three characters before "raf" is in 1,426
            // messages at 1,000,000, "e trafen" in as many, against 8,817 with both anywhere. The other rarest trigrams
            // are then left out: they overlap the anchor and narrow little, and each costs its seeks (with them, 11,613
            // pages for the same 1,426 candidates; without, 5,022).
            var apart = ElsewhereTrigrams(text, rarest, counts, messages);
            result[text] = apart.Count == 0 ? selected.Select(Phrase).ToList() : apart.Select(t => Near(text, rarest[0], t)).ToList();
        }
        return new TrigramLookup(result, counts, newest, oldest);
    }

    /// <summary>
    /// Common trigrams of another part of the text, worth reading when the candidates are many: the rarest trigrams of a
    /// phrase are all in its rarest word, and a word next to a common one ("the trafen") has every occurrence as a
    /// candidate, the phrase a few of them (820 of about 13,000 at 1,000,000 messages). A trigram that shares no character
    /// with those chosen so far, the one across the space ("e t") say, comes near to independent of them. In a phrase, only one
    /// reaching into a word of which they hold fewer than <see cref="WordLettersTaken"/> letters: a word's trigrams come
    /// together ("tha" and "ks " of "thanks" are in the same messages, so NEAR of the two left every "thanks" a candidate,
    /// 19,274 pages for "thanks the" at 1,000,000 messages when the exact phrase took over; "un " of "vanzulendun the" kept
    /// 4,494 candidates for 497 matches); the word next door narrows. One letter is not enough to speak for a word: the
    /// rarest trigram is often the one across the space ("t m" of "that more"), and "ore" still narrows it. Such a trigram rules out the
    /// candidates without it, about two pages each, for at most its doclist (about one page for every
    /// <see cref="PhraseEntriesPerPage"/> entries). Read in order of rarity while that pays; the candidates are taken to be
    /// as many as the rarest trigram's messages (an upper bound), cut by the share of each trigram added.
    /// </summary>
    internal static List<string> ElsewhereTrigrams(string text, List<string> rarest, Dictionary<string, double> counts, double messages)
    {
        var runes = text.EnumerateRunes().Select(r => r.Value).ToArray();
        var starts = TrigramStarts(text);
        var covered = new bool[runes.Length];
        // Each character's word (a run without spaces), -1 for a space.
        var words = new int[runes.Length];
        for (var (i, word) = (0, 0); i < runes.Length; i++)
            words[i] = runes[i] == ' ' ? -1 : i > 0 && runes[i - 1] == ' ' ? ++word : word;
        var phrase = words.Contains(-1);
        void Cover(string trigram)
        {
            foreach (var start in starts[trigram])
                Array.Fill(covered, true, start, TrigramLength);
        }
        // Whether a trigram at start reaches into a word the chosen trigrams hold fewer than two letters of.
        bool ReachesAnotherWord(int start) => Enumerable.Range(start, TrigramLength).Any(p => words[p] >= 0
            && Enumerable.Range(0, runes.Length).Count(q => words[q] == words[p] && covered[q]) < WordLettersTaken);
        Cover(rarest[0]);
        var candidates = counts[rarest[0]];
        var added = new List<string>();
        foreach (var trigram in rarest.Skip(1))
        {
            var share = Math.Min(1, counts[trigram] / messages);
            var apart = starts[trigram].Any(start => !covered.AsSpan(start, TrigramLength).Contains(true) && (!phrase || ReachesAnotherWord(start)));
            if (!apart || counts[trigram] / PhraseEntriesPerPage >= candidates * (1 - share) * PagesPerCandidate)
                continue;
            added.Add(trigram);
            candidates *= share;
            Cover(trigram);
        }
        return added;
    }

    /// <summary>A word is spoken for once the chosen trigrams hold this many of its letters: its other trigrams come with them.</summary>
    private const int WordLettersTaken = 2;

    /// <summary>The FTS5 conditions each text is looked up by (its trigrams, or NEAR pairs of them); how many messages hold each trigram (estimated); the newest and oldest message ids.</summary>
    private sealed record TrigramLookup(Dictionary<string, List<string>> Selected, Dictionary<string, double> Counts, long Newest, long Oldest);

    /// <summary>Trigrams beyond the rarest three are read when in fewer than one message in this many.</summary>
    private const int CheapTrigramShare = 10;

    /// <summary>At most this many trigrams of a text are read.</summary>
    private const int MostTrigrams = 6;

    /// <summary>
    /// How many messages there are (the FTS index's own row count), and how many hold each trigram: from the share of a
    /// spread sample holding it (<see cref="SqliteTrigramSample"/>) when that holds it at least <see cref="SampledRowsEnough"/>
    /// times; rarer ones in the index itself, from how far back (in ids) their newest <see cref="ProbeDepth"/> occurrences
    /// reach against the oldest id: ids are times, so the ratio of the spans is the ratio of the counts. Fewer occurrences
    /// than the probe depth count as that many. It costs at most that many entries per rare trigram, whatever the history.
    /// </summary>
    internal static async Task<(double Messages, Dictionary<string, double> Counts, long Newest, long Oldest)> ProbeAsync(KamaDbContext db, SqliteTrigramSample sample, List<string> trigrams, CancellationToken cancellationToken)
    {
        var probed = trigrams.Where(t => sample.Rows(t) < SampledRowsEnough).ToList();
        await using var command = await CommandAsync(db, cancellationToken);
        var sql = new SearchSql(command, postgres: false);
        command.CommandText = $"""
            SELECT (SELECT "Id" FROM messages ORDER BY "Id" DESC LIMIT 1), (SELECT "Id" FROM messages ORDER BY "Id" LIMIT 1),
                   (SELECT block FROM messages_fts_data WHERE id = {AveragesRecord})
            """ + string.Concat(probed.Select(t =>
            $",\n(SELECT rowid FROM messages_fts WHERE messages_fts MATCH {sql.Parameter(Phrase(t))} ORDER BY rowid DESC LIMIT 1 OFFSET {ProbeDepth - 1})"));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        long? Id(int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
        var (newest, oldest) = (Id(0) ?? 0, Id(1) ?? 0);
        double messages = Math.Max(1, Math.Max(sample.RowCount, reader.IsDBNull(2) ? 0 : IndexedRows((byte[])reader.GetValue(2))));
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var trigram in trigrams.Except(probed))
            counts[trigram] = messages * sample.Rows(trigram) / sample.RowCount;
        for (var i = 0; i < probed.Count; i++)
        {
            counts[probed[i]] = Id(i + 3) is { } reach
                ? Math.Min(messages, ProbeDepth * (double)(newest - oldest + 1) / Math.Max(1, newest - reach + 1))
                : ProbeDepth;
        }
        return (messages, counts, newest, oldest);
    }

    /// <summary>A trigram the sample holds this many times or more is counted from the sample, not probed in the index.</summary>
    private const int SampledRowsEnough = 16;

    /// <summary>The id of FTS5's averages record in its data table: how many rows the index holds, then per column how many tokens.</summary>
    private const int AveragesRecord = 1;

    /// <summary>The averages record's first field, the index's row count: a varint as SQLite writes them (big-endian, seven bits a byte, all eight in the ninth).</summary>
    internal static long IndexedRows(byte[] averages)
    {
        ulong value = 0;
        for (var i = 0; i < Math.Min(9, averages.Length); i++)
        {
            if (i == 8)
                return (long)((value << 8) | averages[i]);
            value = (value << 7) | (uint)(averages[i] & 0x7f);
            if ((averages[i] & 0x80) == 0)
                break;
        }
        return (long)value;
    }

    /// <summary>The distinct trigrams of folded text, as the tokenizer cuts them: three Unicode characters each.</summary>
    internal static List<string> Trigrams(string folded) => [.. TrigramStarts(folded).Keys];

    /// <summary>
    /// An FTS5 condition that <paramref name="other"/> and <paramref name="anchor"/> are as close as in <paramref name="text"/>
    /// (in either order, as NEAR reads it): every message holding the text passes, most holding both apart do not. Trigram
    /// positions are character positions, so the tokens between are the characters between their starts, less one.
    /// </summary>
    internal static string Near(string text, string anchor, string other)
    {
        var starts = TrigramStarts(text);
        var between = starts[anchor].SelectMany(a => starts[other].Select(o => Math.Abs(a - o) - 1)).Min();
        return $"NEAR({Phrase(other)} {Phrase(anchor)}, {between})";
    }

    /// <summary>Where each distinct trigram of folded text starts, in Unicode characters; keyed in order of first appearance.</summary>
    private static Dictionary<string, List<int>> TrigramStarts(string folded)
    {
        var runes = folded.EnumerateRunes().Select(r => r.ToString()).ToArray();
        var starts = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i + TrigramLength <= runes.Length; i++)
        {
            var trigram = runes[i] + runes[i + 1] + runes[i + 2];
            if (!starts.TryGetValue(trigram, out var list))
                starts[trigram] = list = [];
            list.Add(i);
        }
        return starts;
    }

    /// <summary>An FTS5 string: inside double quotes everything is literal text, a quote is written twice.</summary>
    private static string Phrase(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>
/// PostgreSQL: the content folded by <c>kamachat_search_fold</c> (lower case, <c>unaccent</c>), its spaces written as a
/// letter (<see cref="SpaceStandIn"/>), in the stored column <c>"SearchText"</c>, with a <c>pg_trgm</c> GIN index on it that
/// answers LIKE '%…%' for any substring of three characters or more, in every script (a phrase's trigrams across its
/// spaces narrow it too: <see cref="AddText"/>), and a GIN index over <c>kamachat_search_bigrams</c> for two-character CJK terms.
/// <para>
/// Filling a page and the capped count (the newest 1,001 matches) can go two ways: walk the primary key newest first,
/// checking each message, until enough have matched (cheap when the text is common), or read the text index's matches
/// and sort them (cheap when it is rare). PostgreSQL's estimates for substring patterns cannot tell the two apart, so
/// the engine measures instead: it checks the newest <see cref="ProbeRows"/> messages in range (one short index walk),
/// and from the share that matched compares the rows either plan would read. All of it is one round trip: the probe's
/// statement pins the chosen plan with <c>set_config(…, is_local)</c>, and the search statements, sent in the same batch
/// (one implicit transaction, so the settings end with it), are planned after it ran: one per plan, each gated on the
/// choice. The choice changes only speed: both plans answer the same question.
/// </para>
/// </summary>
internal sealed class PostgresSearchEngine(SearchTextPlan plan = SearchTextPlan.Auto, TrigramSampleCache<PostgresTrigramSample>? trigramSamples = null) : SearchEngine
{
    /// <summary>How many of the newest messages in range the probe checks.</summary>
    public const int ProbeRows = 2000;

    /// <summary>
    /// What a row read through the text index costs (posting lists, a random heap fetch, the recheck, the sort) against a
    /// row read walking the primary key in order; measured on the search bench, roughly.
    /// </summary>
    private const int IndexRowCost = 4;

    /// <summary>
    /// The planner settings that pin each plan: walking the primary key in order, or the text index's bitmap and a sort;
    /// both without parallel workers (see <see cref="Serial"/>) and without JIT (see <see cref="NoJit"/>).
    /// </summary>
    private const string WalkSettings = "set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true), " + Serial + ", " + NoJit;

    private const string IndexSettings = "set_config('enable_indexscan', 'off', true), " + Serial + ", " + NoJit;

    /// <summary>
    /// Every statement after the pin is planned under it, the one its gate turns off too, and a plan estimated over
    /// <c>jit_above_cost</c> is compiled when it starts, run or not. The index statement of a two-character CJK term,
    /// planned under the walk's settings, is the walk with <c>kamachat_search_bigrams</c> on every row, estimated far over
    /// it: at 1,000,000 messages 115 of the bench's 200 such searches (those that walked) compiled it, 12.8 ms each
    /// (pg_stat_statements), for a statement that reads nothing. Search statements are short; none gains from JIT.
    /// </summary>
    private const string NoJit = "set_config('jit', 'off', true)";

    /// <summary>
    /// A walk that stops at a page is split three ways by a parallel plan: each worker walks its own share of the newest
    /// messages, so together they read about three times the rows one walk would (810 rows for the newest 25 matches of
    /// "people" at 1,000,000 messages, 2,400 with two workers), and starting the workers costs more than such a short
    /// statement. The planner estimates a substring's rows too low to see that; search statements run serially.
    /// </summary>
    private const string Serial = "set_config('max_parallel_workers_per_gather', '0', true)";

    /// <summary>After a walk, the count reads the text index's bitmap in table order and stops at its limit.</summary>
    private const string CountSettings = "set_config('enable_bitmapscan', 'on', true), set_config('enable_indexscan', 'off', true), set_config('enable_sort', 'on', true)";

    /// <summary>
    /// Where the probe leaves its choice for the later statements of the batch: 'off' the index, 'page' walking to the
    /// page (the count through the index), 'all' walking to the count too (see <see cref="CountWalkRows"/>).
    /// </summary>
    private const string WalkChosen = "current_setting('kamachat.search_walk') <> 'off'";

    private const string WalkToCount = "current_setting('kamachat.search_walk') = 'all'";

    private const string WalkToPage = "current_setting('kamachat.search_walk') = 'page'";

    /// <summary>
    /// With a count to make, the walk goes on to it when the probe's share says it lies within this many of the newest
    /// messages (text in over one message in 30). The count through the text index costs what its bitmap holds, every
    /// message with the text's trigrams however old: at 1,000,000 messages, counting to 1,001 that way took 71 ms for
    /// "the" (524,799 in the bitmap), 40 for "you" (223,200), 27 for "this" (86,131), 20 for "know" (34,524), and
    /// 13–15 for "people" and "because" (19,000); walking to the 1,001st match took 0.7, 1.8, 7.1, 9.5 and 16–260 ms
    /// (about 0.3 µs a message walked while the pages are cached; "because" reached old, uncached pages). One session, load
    /// average 8–25, so the ratios, not the milliseconds.
    /// </summary>
    private const int CountWalkRows = 30_000;

    /// <summary>
    /// Messages holding every bigram of <paramref name="bigramsParameter"/> (a text[] parameter), through the bigram
    /// index: its predicate repeated word for word first, which is how PostgreSQL knows the partial index may answer.
    /// </summary>
    internal static string BigramCondition(string bigramsParameter) =>
        $"m.\"SearchText\" ~ '{SearchBigrams.PostgresPairPattern}' AND kamachat_search_bigrams(m.\"SearchText\") @> {bigramsParameter}::text[]";

    public override async Task<List<Snowflake>> FindAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, bool oldestFirst, int take, CancellationToken cancellationToken) =>
        (await SearchAsync(db, query, filter, oldestFirst, take, countTo: null, cancellationToken)).Ids;

    /// <summary>
    /// A page is a few matches, the count up to a thousand. Walking newest first finds the page soon, but counting that
    /// way reads every message until the thousandth match; so when the walk is chosen it stops at the page, and the
    /// count reads the text index's matches in table order (a bitmap, no sort) and stops at <paramref name="countTo"/>.
    /// When the text index is chosen, its sorted matches give both.
    /// </summary>
    public override async Task<(List<Snowflake> Ids, int Found)> FindAndCountAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, bool oldestFirst, int need, int countTo, CancellationToken cancellationToken) =>
        need * 4 <= countTo
            ? await SearchAsync(db, query, filter, oldestFirst, need, countTo, cancellationToken)
            : await base.FindAndCountAsync(db, query, filter, oldestFirst, need, countTo, cancellationToken);

    /// <summary>
    /// One batch, one round trip: [pin the plan (probe or forced)]; the ids (after a probe, the walk's statement and the
    /// index plan's, each gated on its choice); and when walking with a count to make, the count's settings and the count. Without <paramref name="countTo"/>, the first <paramref name="take"/> ids counted.
    /// </summary>
    private async Task<(List<Snowflake> Ids, int Found)> SearchAsync(
        KamaDbContext db, SearchQuery query, SearchFilter filter, bool oldestFirst, int take, int? countTo, CancellationToken cancellationToken)
    {
        var included = query.Include.Select(t => t.Folded).ToList();
        var indexed = included.Any(t => t.EnumerateRunes().Count() >= TrigramLength || SearchBigrams.Of(t) is not null) || query.Has.HasFlag(SearchHas.Link);
        var chosen = indexed ? plan : SearchTextPlan.Auto;
        var probing = chosen == SearchTextPlan.Auto && indexed && db.Database.CurrentTransaction is null;
        if (countTo is { } cap && !probing && chosen != SearchTextPlan.Walk)
        {
            // PostgreSQL plans on its own (or the index is pinned): one list, counted.
            var all = await SearchAsync(db, query, filter, oldestFirst, Math.Max(take, cap), countTo: null, cancellationToken);
            return (all.Ids.Count > take ? all.Ids[..take] : all.Ids, Math.Min(all.Ids.Count, cap));
        }

        // Long words and phrases: the index is asked for the trigrams worth reading (see PostgresTrigramSample).
        Dictionary<string, string>? lookup = null;
        if (trigramSamples is not null && chosen != SearchTextPlan.Walk && included.Any(t => t.Length > PostgresTrigramSample.MinimumTrigrams + 2)
            && await trigramSamples.GetAsync(cancellationToken) is { } sample)
        {
            lookup = included.Distinct(StringComparer.Ordinal).Select(t => (Text: t, Pattern: sample.IndexPattern(t)))
                .Where(x => x.Pattern is not null).ToDictionary(x => x.Text, x => x.Pattern!, StringComparer.Ordinal);
        }

        await using var command = await CommandAsync(db, BatchStatements(chosen, probing, countTo), cancellationToken);
        var text = new SearchSql(command, postgres: true);
        AddText(text, query, lookup);
        // The walk and the probe check rows one by one: the exact LIKE alone, never the lookup by chosen trigrams.
        var exact = new SearchSql(command, postgres: true);
        AddText(exact, query);
        var filters = new SearchSql(command, postgres: true);
        filters.AddFilter(filter);
        // The bigram index for two-character CJK terms; LIKE keeps the answer exact. Only the statements that may read the
        // index carry the condition: kamachat_search_bigrams is a SQL function, and evaluated on every match of a walk it
        // cost about 0.7 ms a row (the newest 25 matches of 学生 at 1,000,000 messages: 18–200 ms with it, under 1 ms without).
        var bigrams = included.Select(SearchBigrams.Of).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var bigramCondition = bigrams.Length == 0 ? null : BigramCondition(text.Parameter(bigrams));
        var conditions = new List<string> { text.Condition };
        if (bigramCondition is not null)
            conditions.Add(bigramCondition);
        conditions.Add(filters.Condition);
        var indexConditions = string.Join("\n  AND ", conditions);
        var walkConditions = $"{exact.Condition}\n  AND {filters.Condition}";
        string Select(string where, object limit) => $"SELECT m.\"Id\" FROM messages m\nWHERE {where}\nORDER BY m.\"Id\" {Direction(oldestFirst)} LIMIT {limit};\n";
        // After the probe, one statement per plan, each gated on the choice (a one-time filter: the other reads nothing);
        // the walk goes on to the count when the probe said so.
        string Either(int indexLimit) =>
            Select($"{WalkChosen} AND {walkConditions}", countTo is { } walkCount ? $"CASE WHEN {WalkToCount} THEN {walkCount} ELSE {take} END" : take)
            + Select($"NOT ({WalkChosen}) AND {indexConditions}", indexLimit);
        string Count(string gate) => $"SELECT {CountSettings} WHERE {gate};\nSELECT count(*) FROM (SELECT 1 FROM messages m WHERE {gate} AND {indexConditions} LIMIT {countTo}) AS x;\n";

        // set_config(…, is_local) lasts until the end of the transaction: here the batch's own. (Inside a caller's
        // transaction the setting would outlive the search, so there PostgreSQL plans on its own.)
        bool? walking = chosen switch
        {
            SearchTextPlan.Walk => true,
            SearchTextPlan.Index => false,
            _ => null,
        };
        // Its statements as BatchStatements counts them.
        command.CommandText = (chosen, probing, countTo) switch
        {
            (SearchTextPlan.Walk, _, null) => $"SELECT {WalkSettings};\n" + Select(walkConditions, take),
            (SearchTextPlan.Walk, _, _) => $"SELECT {WalkSettings};\n" + Select(walkConditions, take) + Count("true"),
            (SearchTextPlan.Index, _, _) => $"SELECT {IndexSettings};\n" + Select(indexConditions, take),
            (_, false, _) => Select(indexConditions, take),
            (_, true, null) => Probe(text, filter, walkConditions, oldestFirst, take, null) + Either(take),
            (_, true, { } limit) => Probe(text, filter, walkConditions, oldestFirst, take, limit) + Either(limit) + Count(WalkToPage),
        };

        var ids = new List<Snowflake>();
        var walkedToCount = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (chosen != SearchTextPlan.Auto || probing)
        {
            if (probing && await reader.ReadAsync(cancellationToken))
                (walking, walkedToCount) = (reader.GetBoolean(0), reader.GetBoolean(1));
            await reader.NextResultAsync(cancellationToken);
        }
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(new Snowflake(reader.GetInt64(0)));
        if (probing)
        {
            // The index plan's statement (empty when the probe chose the walk, as the walk's is when it chose the index).
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                ids.Add(new Snowflake(reader.GetInt64(0)));
        }
        if (countTo is not { } countCap)
            return (ids, ids.Count);
        // The index plan's list, or the walk's when it went on to the count: the first ids are the page, their number the count.
        if (walking != true || walkedToCount)
            return (ids.Count > take ? ids[..take] : ids, Math.Min(ids.Count, countCap));
        await reader.NextResultAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        // The count can trail the page by a message sent between the two statements; never report fewer than shown.
        return (ids, Math.Max(ids.Count, (int)reader.GetInt64(0)));
    }

    /// <summary>
    /// How many statements <see cref="SearchAsync"/>'s batch sends, for <c>kamachat.db.commands</c>; the same cases as its
    /// text: [the settings or the probe], the ids (two statements after a probe), [the count's settings and the count].
    /// </summary>
    private static int BatchStatements(SearchTextPlan chosen, bool probing, int? countTo) => (chosen, probing, countTo) switch
    {
        (SearchTextPlan.Walk, _, null) => 2,
        (SearchTextPlan.Walk, _, _) => 4,
        (SearchTextPlan.Index, _, _) => 2,
        (_, false, _) => 1,
        (_, true, null) => 3,
        (_, true, _) => 5,
    };

    /// <summary>
    /// The text conditions: every included text as a substring of the folded content, no excluded one, and has:link. The
    /// texts are folded again by the database's own function in the statement, so 'straße' meets what unaccent made of
    /// the content; the LIKE pattern characters are escaped after folding, and the spaces written as the column writes
    /// them (<see cref="SpaceStandIn"/>). One LIKE on the stored column is both the trigram index's condition and its
    /// recheck: no function runs on a candidate's text. With <paramref name="lookup"/> (the trigrams worth reading, as one
    /// pattern: <see cref="PostgresTrigramSample.IndexPattern"/>), that pattern is the index's condition and the whole
    /// text is checked by <c>textlike()</c>, the LIKE operator's own function: the planner matches only operators to
    /// an index, so the index is not asked for every trigram of the text as well.
    /// </summary>
    internal static void AddText(SearchSql sql, SearchQuery query, IReadOnlyDictionary<string, string>? lookup = null)
    {
        string Pattern(string folded) =>
            $"'%' || translate(replace(replace(replace(kamachat_search_fold({sql.Parameter(folded)}), '\\', '\\\\'), '%', '\\%'), '_', '\\_'), ' ', '{SpaceStandIn}') || '%'";
        string Contains(string folded) => lookup is not null && lookup.TryGetValue(folded, out var chosen)
            ? $"m.\"SearchText\" LIKE {sql.Parameter(chosen)} AND textlike(m.\"SearchText\", {Pattern(folded)})"
            : $"m.\"SearchText\" LIKE {Pattern(folded)}";
        foreach (var text in query.Include)
            sql.Where(Contains(text.Folded));
        foreach (var text in query.Exclude)
            sql.Where($"NOT (m.\"SearchText\" LIKE {Pattern(text.Folded)})");
        if (query.Has.HasFlag(SearchHas.Link))
            sql.Where("(" + string.Join(" OR ", SearchText.Links.Select(t => Contains(t.Folded))) + ")");
    }

    /// <summary>
    /// What the stored folded text (<c>"SearchText"</c>, migration SearchTextSpacesAsStandIn) holds in place of every
    /// space, so that the trigram index built on it has trigrams that run across words. pg_trgm cuts words at every
    /// character that is not a letter or digit in the database's LC_CTYPE; 'ß' is a letter in every UTF-8 locale, and it
    /// never occurs otherwise in folded text, where unaccent makes it 'ss' (and 'ẞ' 'SS'), so neither a word holding some
    /// letter nor user text can pass for a space: the 'q' used before did both ('nmiq' read the trigrams of every "…nmi "
    /// before a word, 150–600 ms at 1,000,000 messages). Under LC_CTYPE C, where pg_trgm keeps only ASCII letters and
    /// digits, it cuts the words there instead: phrases are narrowed by their words alone, and every match is still exact.
    /// Until that migration the column held the spaces and the index was built on <c>translate()</c> of it, which the
    /// recheck then computed again on every candidate.
    /// <para>
    /// A phrase of common words stays the slowest text ("corhan the": 13,831 candidates for 742 matches at 1,000,000
    /// messages): its trigrams across the space are common too ('nßt'). Pairs that know where words meet (the last two or
    /// three characters of a word, 'ß', the first two or three of the next) were tried and left out. A GIN index over a
    /// plpgsql function of this column reruns the function on every candidate it hands the recheck ("corhan the": 2,791
    /// candidates, 319 ms against 79 without); stored in a generated column they grew the table by 76% (218 MB at
    /// 1,000,000 messages) and the phrases' p95, replayed twice on twin copies, went 63 → 66 ms (the lower of two rounds,
    /// load average 4–6): pairs of common words are common too ('hanßthe', from "than the", is in 15,351 messages).
    /// </para>
    /// </summary>
    internal const char SpaceStandIn = 'ß';

    /// <summary>
    /// The statement that measures and pins the plan, and returns the choice (true: walk; and whether the walk goes on to
    /// the count, see <see cref="CountWalkRows"/>). Walking reads about need ÷ share
    /// rows (share: the part of the newest messages in range that matched) — plus, with a count to make, that many matches
    /// read through the index; the index reads about share × rows-in-range, each dearer. The cheaper wins; nothing matched
    /// means the index; fewer than <see cref="ProbeRows"/> rows in range means the whole range was read, and walking it
    /// is cheap.
    /// </summary>
    private static string Probe(SearchSql sql, SearchFilter filter, string matched, bool oldestFirst, int need, int? countTo)
    {
        var bounds = new List<string>();
        if (filter.BeforeId is { } before)
            bounds.Add($"\"Id\" < {sql.Parameter(before.Value)}");
        if (filter.AfterId is { } after)
            bounds.Add($"\"Id\" > {sql.Parameter(after.Value)}");
        var range = bounds.Count == 0 ? "" : "WHERE " + string.Join(" AND ", bounds);
        var walk = $"""
            CASE WHEN probe.n < {ProbeRows} THEN true WHEN probe.hit = 0 THEN false
                 ELSE {need}::float8 * probe.n / probe.hit + {IndexRowCost * (countTo ?? 0)} <= {IndexRowCost}::float8 * probe.hit / probe.n * greatest(probe.total, probe.n) END
            """;
        // Walking on to the count: the whole range is in the probe, or the count's matches lie within CountWalkRows.
        var toCount = countTo is { } count
            ? $"probe.n < {ProbeRows} OR (probe.hit > 0 AND {count}::float8 * probe.n / probe.hit <= {CountWalkRows})"
            : "false";
        return $"""
            SELECT walk, walk AND to_count, CASE WHEN walk THEN ({WalkSettings}, set_config('kamachat.search_walk', CASE WHEN to_count THEN 'all' ELSE 'page' END, true))::text
                              ELSE ({IndexSettings}, set_config('kamachat.search_walk', 'off', true))::text END
            FROM (SELECT {walk} AS walk, {toCount} AS to_count
                  FROM (SELECT count(*) AS n, count(*) FILTER (WHERE matched) AS hit,
                               (SELECT reltuples FROM pg_catalog.pg_class WHERE oid = 'messages'::regclass)::float8 AS total
                        FROM (SELECT {matched} AS matched
                              FROM (SELECT * FROM messages {range} ORDER BY "Id" {Direction(oldestFirst)} LIMIT {ProbeRows}) m) AS rows) AS probe) AS choice;

            """;
    }
}
