using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Search;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Search;

/// <summary>
/// What search finds, through the server search endpoint with messages written through the real API. The app's planner
/// always drives from the text index (<see cref="SearchApp"/>), and every search is repeated through the service with the
/// other plan (filters first, text checked in memory): both plans must agree.
/// </summary>
public abstract class SearchTests(KamaChatApp app)
{
    [Fact]
    public async Task Words_match_in_any_order_also_inside_longer_words()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var both = await owner.Client.SendOkAsync(channelId, "Deployment of the servers finished");
        await owner.Client.SendOkAsync(channelId, "servers only");
        await owner.Client.SendOkAsync(channelId, "deploy later");

        Assert.Equal([both.Id], await IdsAsync(owner, serverId, "erver deplo"));
        Assert.Equal([both.Id], await IdsAsync(owner, serverId, "finished DEPLOYMENT"));
        Assert.Equal(2, (await IdsAsync(owner, serverId, "servers")).Count);
        Assert.Empty(await IdsAsync(owner, serverId, "servers deployed"));
    }

    [Fact]
    public async Task A_phrase_matches_its_words_together_and_in_order()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var exact = await owner.Client.SendOkAsync(channelId, "the quick brown fox");
        await owner.Client.SendOkAsync(channelId, "brown and quick, the fox");

        Assert.Equal([exact.Id], await IdsAsync(owner, serverId, "\"quick brown\""));
        Assert.Equal([exact.Id], await IdsAsync(owner, serverId, "fox \"Quick Brown\""));
        Assert.Empty(await IdsAsync(owner, serverId, "\"brown quick\""));
    }

    [Fact]
    public async Task A_long_word_or_phrase_is_found_whole_not_assembled_from_its_pieces()
    {
        // The decoys hold every trigram of "deployment" and of "quick brown", just not together: whichever of them the
        // index is asked for (SQLite looks a long word up by its rarest trigrams), only the real text may match.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var real = await owner.Client.SendOkAsync(channelId, "The DÉPLOYMENT of quick brown foxes");
        await owner.Client.SendOkAsync(channelId, "deploy, then oyment; quick, back a brown k b");
        await owner.Client.SendOkAsync(channelId, "ployment depl");

        Assert.Equal([real.Id], await IdsAsync(owner, serverId, "deployment"));
        Assert.Equal([real.Id], await IdsAsync(owner, serverId, "\"quick brown\""));
        Assert.Equal([real.Id], await IdsAsync(owner, serverId, "Deployment \"QUICK BROWN\""));
        Assert.Empty(await IdsAsync(owner, serverId, "deployment -foxes"));
        Assert.Empty(await IdsAsync(owner, serverId, "deployment -\"quick brown\""));
    }

    [Fact]
    public async Task A_phrase_needs_its_space_not_a_letter_in_its_place()
    {
        // PostgreSQL's trigram index reads every space as a letter (so that its trigrams run across words; 'q' until
        // SearchTrigramSpaceStandIn): a decoy with that letter in place of the space must not pass for the phrase.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var real = await owner.Client.SendOkAsync(channelId, "did you like it");
        var decoy = await owner.Client.SendOkAsync(channelId, "youqlike, YOUQLIKE and you_like");
        var iraq = await owner.Client.SendOkAsync(channelId, "Iraq war");

        Assert.Equal([real.Id], await IdsAsync(owner, serverId, "\"you like\""));
        Assert.Equal([decoy.Id], await IdsAsync(owner, serverId, "like -\"you like\""));
        Assert.Equal([iraq.Id], await IdsAsync(owner, serverId, "\"iraq war\""));
        Assert.Empty(await IdsAsync(owner, serverId, "iraqqwar"));
    }

    [Fact]
    public async Task A_word_with_a_q_or_a_sharp_s_and_a_phrase_across_them_find_exactly_theirs()
    {
        // The index's stand-in for a space must pass neither for a letter of a word nor for one the user wrote: 'nmiq'
        // is not "nmi " before a word, "nmi quo" not "nmiqquo", and a 'ß' the user wrote not a space.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var word = await owner.Client.SendOkAsync(channelId, "a nmiq here");
        var phrase = await owner.Client.SendOkAsync(channelId, "the nmi quo at last");
        var glued = await owner.Client.SendOkAsync(channelId, "nmiqquo, nmi, quo");
        var street = await owner.Client.SendOkAsync(channelId, "Die Straße ist lang");
        await owner.Client.SendOkAsync(channelId, "nmi first, then a word: nmiz qu");

        Assert.Equal([glued.Id, word.Id], await IdsAsync(owner, serverId, "nmiq"));
        Assert.Equal([phrase.Id], await IdsAsync(owner, serverId, "\"nmi quo\""));
        Assert.Equal([glued.Id], await IdsAsync(owner, serverId, "nmiqquo"));
        Assert.Equal([street.Id], await IdsAsync(owner, serverId, "straße"));
        Assert.Equal([street.Id], await IdsAsync(owner, serverId, "\"straße ist\""));
        Assert.Empty(await IdsAsync(owner, serverId, "straßeist"));
        Assert.Empty(await IdsAsync(owner, serverId, "\"die straßeist\""));
    }

    [Fact]
    public async Task A_phrase_of_common_words_is_found_among_many_near_misses()
    {
        // The near misses, newer than the older hits, hold every trigram of the phrase: SQLite's rarest-trigram lookup
        // reads hundreds of them, finds too few real ones, and the exact phrase index goes on from where it stopped.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var older = await app.SeedMessagesAsync(channelId, owner, 3, i => $"you like it {i}");
        await app.SeedMessagesAsync(channelId, owner, 600, i => $"you love it, like {i}");
        var newer = await owner.Client.SendOkAsync(channelId, "do you like this");

        Assert.Equal([newer.Id, .. Enumerable.Reverse(older)], await IdsAsync(owner, serverId, "\"you like\""));
        Assert.Equal([.. older, newer.Id], await IdsAsync(owner, serverId, "\"you like\"", SearchSort.Oldest));
    }

    [Fact]
    public async Task A_word_next_to_a_common_one_is_found_exactly_among_its_other_occurrences()
    {
        // "the zqvok": the rarest trigrams are all in "zqvok", held by every decoy too; SQLite also reads "he " (apart from
        // them), which the decoys "a zqvok" lack and "the one zqvok" holds without the phrase. Whatever narrows the
        // candidates, only the phrase may come back, past the walk's probe (more than 1,000 messages).
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var older = await app.SeedMessagesAsync(channelId, owner, 3, i => $"see the zqvok {i}");
        await app.SeedMessagesAsync(channelId, owner, 400, i => $"a zqvok {i}");
        await app.SeedMessagesAsync(channelId, owner, 400, i => $"the one zqvok {i}");
        await app.SeedMessagesAsync(channelId, owner, 1200, i => $"the filler {i}");
        var newer = await owner.Client.SendOkAsync(channelId, "THE ZQVOK again");

        Assert.Equal([newer.Id, .. Enumerable.Reverse(older)], await IdsAsync(owner, serverId, "\"the zqvok\""));
        Assert.Equal([.. older, newer.Id], await IdsAsync(owner, serverId, "\"the zqvok\"", SearchSort.Oldest));
        Assert.Equal([newer.Id], await IdsAsync(owner, serverId, "\"the zqvok\" again"));
        Assert.Empty(await IdsAsync(owner, serverId, "\"the zqvoka\""));
    }

    [Fact]
    public async Task A_rare_word_is_found_exactly_when_its_rarest_trigrams_overlap_in_other_words()
    {
        // The four rarest trigrams of "zqvokwyxj" overlap ("okw", "kwy", "wyx", "yxj"), and the newer decoys hold all of
        // them ("okwyxj") but not the word; its other trigrams ("zqv", "qvo", "vok") are a little more common, in under one
        // message in ten. SQLite then reads those too, which rule the decoys out (by the rarest three alone it read every
        // decoy, judged them imprecise and went on by the exact phrase). Whatever it reads, only the word may come back.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var older = await app.SeedMessagesAsync(channelId, owner, 3, i => $"found zqvokwyxj {i}");
        await app.SeedMessagesAsync(channelId, owner, 600, i => $"okwyxj {i}");
        await app.SeedMessagesAsync(channelId, owner, 700, i => $"zqvok {i}");
        await app.SeedMessagesAsync(channelId, owner, 7000, i => $"filler {i}");
        var newer = await owner.Client.SendOkAsync(channelId, "ZQVOKWYXJ again");

        Assert.Equal([newer.Id, .. Enumerable.Reverse(older)], await IdsAsync(owner, serverId, "zqvokwyxj"));
        Assert.Equal([.. older, newer.Id], await IdsAsync(owner, serverId, "zqvokwyxj", SearchSort.Oldest));
        Assert.Equal([newer.Id, .. Enumerable.Reverse(older)], await IdsAsync(owner, serverId, "\"zqvokwyxj\" -filler"));
        Assert.Empty(await IdsAsync(owner, serverId, "zqvokwyxk"));
    }

    [Fact]
    public async Task Rare_and_common_text_are_found_alike_past_the_probes()
    {
        // More messages than the probes read (SQLite walks 1,000, PostgreSQL checks 2,000): a rare word's walk finds too
        // few and the index goes on after it; a common word's walk goes on past the probe. Every plan must find the same
        // (SearchAsync compares the walk and the index pinned, and the filter plan).
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        // Two-character CJK terms too, rare and common: PostgreSQL reads the bigram index only in the index plan's statement.
        var old = await app.SeedMessagesAsync(channelId, owner, 3, i => $"needle old {i} 東京");
        var hay = await app.SeedMessagesAsync(channelId, owner, 2100, i => $"hay bale {i} 公园");
        var recent = await owner.Client.SendOkAsync(channelId, "needle recent 東京");

        Assert.Equal([recent.Id, .. Enumerable.Reverse(old)], await IdsAsync(owner, serverId, "needle"));
        Assert.Equal([.. old, recent.Id], await IdsAsync(owner, serverId, "needle", SearchSort.Oldest));
        Assert.Equal([.. Enumerable.Reverse(old)], await BoundedIdsAsync(owner, serverId, "needle", before: hay[0]));
        var common = await SearchAsync(owner, serverId, "bale");
        Assert.Equal((1000, true), (common.TotalResults, common.TotalIsCapped));
        Assert.Equal(Enumerable.Reverse(hay).Take(25), common.Ids());
        Assert.Equal(hay.Take(25), await IdsAsync(owner, serverId, "bale", SearchSort.Oldest));
        Assert.Equal(hay.Skip(50).Take(25), (await SearchAsync(owner, serverId, "bale", SearchSort.Oldest, offset: 50)).Ids());
        Assert.Equal([recent.Id, .. Enumerable.Reverse(old)], await IdsAsync(owner, serverId, "東京"));
        Assert.Equal([.. Enumerable.Reverse(old)], await BoundedIdsAsync(owner, serverId, "東京", before: hay[0]));
        var commonPair = await SearchAsync(owner, serverId, "公园");
        Assert.Equal((1000, true), (commonPair.TotalResults, commonPair.TotalIsCapped));
        Assert.Equal(Enumerable.Reverse(hay).Take(25), commonPair.Ids());
    }

    [Fact]
    public async Task Excluded_words_and_phrases_remove_matches()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var draft = await owner.Client.SendOkAsync(channelId, "release notes draft ok");
        var final = await owner.Client.SendOkAsync(channelId, "release notes final");

        Assert.Equal([final.Id], await IdsAsync(owner, serverId, "release -draft"));
        Assert.Equal([draft.Id], await IdsAsync(owner, serverId, "release -\"notes final\""));
        Assert.Equal([final.Id], await IdsAsync(owner, serverId, "notes -ok"));
    }

    [Fact]
    public async Task Case_and_accents_are_ignored_both_ways()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var accented = await owner.Client.SendOkAsync(channelId, "Un café crème, s'il vous plaît");
        var plain = await owner.Client.SendOkAsync(channelId, "CAFE DOWNSTAIRS");

        Assert.Equal([plain.Id, accented.Id], await IdsAsync(owner, serverId, "cafe"));
        Assert.Equal([plain.Id, accented.Id], await IdsAsync(owner, serverId, "Café"));
        Assert.Equal([accented.Id], await IdsAsync(owner, serverId, "CREME"));
        Assert.Equal([accented.Id], await IdsAsync(owner, serverId, "\"cafe crème\""));
    }

    [Fact]
    public async Task Sharp_s_and_ss_find_each_other_with_highlights_on_what_matched()
    {
        // 'ß' and 'ẞ' fold to "ss" everywhere (as PostgreSQL's unaccent folds them): in SQLite's trigram index, its LIKE
        // for short terms, PostgreSQL's stored text, and the in-memory check of the other plans and the highlights.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var lang = await owner.Client.SendOkAsync(channelId, "Die Straße ist lang");
        var kurz = await owner.Client.SendOkAsync(channelId, "die strasse ist kurz");
        var capital = await owner.Client.SendOkAsync(channelId, "STRAẞE");
        var single = await owner.Client.SendOkAsync(channelId, "eine Strase ist breit");

        foreach (var q in new[] { "strasse", "straße", "STRASSE", "STRAẞE", "Straẞe", "aße" })
        {
            var hits = (await SearchAsync(owner, serverId, q)).Hits;
            Assert.True(new[] { capital.Id, kurz.Id, lang.Id }.SequenceEqual(hits.Select(h => h.Message.Id)), $"'{q}'");
            var whole = q == "aße" ? new[] { new HighlightRange(3, 3), new HighlightRange(7, 4), new HighlightRange(7, 3) }
                : [new HighlightRange(0, 6), new HighlightRange(4, 7), new HighlightRange(4, 6)];
            Assert.Equal(whole, hits.Select(h => Assert.Single(h.Highlights)));
        }
        // Two folded characters, so LIKE instead of the trigram index: a lone 'ß' or 'ẞ' is "ss", and "ss" is either.
        foreach (var q in new[] { "ß", "ẞ", "SS" })
        {
            var hits = (await SearchAsync(owner, serverId, q)).Hits;
            Assert.True(new[] { capital.Id, kurz.Id, lang.Id }.SequenceEqual(hits.Select(h => h.Message.Id)), $"'{q}'");
            Assert.Equal([new HighlightRange(4, 1), new HighlightRange(8, 2), new HighlightRange(8, 1)], hits.Select(h => Assert.Single(h.Highlights)));
        }
        Assert.Equal([kurz.Id, lang.Id], await IdsAsync(owner, serverId, "\"STRAẞE IST\""));
        Assert.Equal([single.Id], await IdsAsync(owner, serverId, "ist -ß"));
        Assert.Equal([single.Id], await IdsAsync(owner, serverId, "ist -straße"));
        Assert.Equal([lang.Id], await IdsAsync(owner, serverId, "strasse lang"));
    }

    [Fact]
    public async Task A_term_under_three_characters_folds_case_and_accents_as_a_longer_one_does()
    {
        // Too short for the trigram index: the content is checked in the database instead (SQLite's LIKE folds the case
        // of ASCII letters only and keeps accents), and must fold as the index and the in-memory check do.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var lower = await owner.Client.SendOkAsync(channelId, "Le café");
        var upper = await owner.Client.SendOkAsync(channelId, "CAFÉ");
        var umlaut = await owner.Client.SendOkAsync(channelId, "Übung");
        var tilde = await owner.Client.SendOkAsync(channelId, "Ñ");

        foreach (var q in new[] { "é", "É", "fé", "FE" })
            Assert.True(new[] { upper.Id, lower.Id }.SequenceEqual(await IdsAsync(owner, serverId, q)), $"'{q}'");
        Assert.Equal([umlaut.Id], await IdsAsync(owner, serverId, "Ü"));
        Assert.Equal([umlaut.Id], await IdsAsync(owner, serverId, "ub"));
        Assert.Equal([tilde.Id, umlaut.Id], await IdsAsync(owner, serverId, "ñ"));
        Assert.Empty(await IdsAsync(owner, serverId, "caf -É"));
        // Highlights stay on what was written.
        var hits = (await SearchAsync(owner, serverId, "É")).Hits;
        Assert.Equal(2, hits.Count);
        Assert.Equal([new HighlightRange(3, 1)], hits[0].Highlights);
        Assert.Equal([new HighlightRange(1, 1), new HighlightRange(6, 1)], hits[1].Highlights);
        Assert.Equal([new HighlightRange(0, 2)], Assert.Single((await SearchAsync(owner, serverId, "UB")).Hits).Highlights);
    }

    [Fact]
    public async Task Chinese_and_Japanese_are_found_by_substring()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var tokyo = await owner.Client.SendOkAsync(channelId, "昨日は東京タワーに行きました");
        var osaka = await owner.Client.SendOkAsync(channelId, "大阪城公园很漂亮");

        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "東京"));
        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "東京タワー"));
        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "京タワ"));
        Assert.Equal([osaka.Id], await IdsAsync(owner, serverId, "公园"));
        Assert.Equal([osaka.Id], await IdsAsync(owner, serverId, "城公园很"));
        var hit = Assert.Single((await SearchAsync(owner, serverId, "東京タワー")).Hits);
        Assert.Equal([new HighlightRange(3, 5)], hit.Highlights);
        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "タワ"));
    }

    [Fact]
    public async Task Two_character_CJK_terms_are_found_through_the_bigram_index_exactly()
    {
        // Two characters have no trigram: the bigram index finds them (SQLite drives from it, PostgreSQL's index plan
        // reads it). The decoy holds both characters of 東京 but the other way round; Korean is in the index too.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var tokyo = await owner.Client.SendOkAsync(channelId, "昨日は東京タワーに行きました");
        var decoy = await owner.Client.SendOkAsync(channelId, "京東の話、東と京");
        var osaka = await owner.Client.SendOkAsync(channelId, "大阪城公园很漂亮 and more");
        var korean = await owner.Client.SendOkAsync(channelId, "한국어 공부");

        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "東京"));
        Assert.Equal([decoy.Id], await IdsAsync(owner, serverId, "京東"));
        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "タワ"));
        Assert.Equal([osaka.Id], await IdsAsync(owner, serverId, "公园"));
        Assert.Equal([korean.Id], await IdsAsync(owner, serverId, "한국"));
        Assert.Equal([osaka.Id], await IdsAsync(owner, serverId, "公园 城"));
        Assert.Equal([osaka.Id], await IdsAsync(owner, serverId, "公园 more"));
        Assert.Empty(await IdsAsync(owner, serverId, "東京 公园"));
        Assert.Empty(await IdsAsync(owner, serverId, "東京 -タワ"));
        Assert.Equal([decoy.Id, tokyo.Id], await IdsAsync(owner, serverId, "東"));
        Assert.Equal([tokyo.Id, decoy.Id], await IdsAsync(owner, serverId, "京", SearchSort.Oldest));
        Assert.Empty(await BoundedIdsAsync(owner, serverId, "東京", after: tokyo.Id));
        Assert.Equal([tokyo.Id], await BoundedIdsAsync(owner, serverId, "東京", before: decoy.Id));
    }

    [Fact]
    public async Task Two_character_CJK_terms_follow_edits_and_deletes()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, "明日は東京");
        var other = await owner.Client.SendOkAsync(channelId, "大阪は晴れ");
        Assert.Equal([message.Id], await IdsAsync(owner, serverId, "東京"));

        var edit = await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}", new { content = "明日は大阪" });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        Assert.Empty(await IdsAsync(owner, serverId, "東京"));
        Assert.Equal([other.Id, message.Id], await IdsAsync(owner, serverId, "大阪"));

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{other.Id}")).StatusCode);
        Assert.Equal([message.Id], await IdsAsync(owner, serverId, "大阪"));
        // An edit to Latin text only takes every bigram away.
        edit = await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}", new { content = "tomorrow" });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        Assert.Empty(await IdsAsync(owner, serverId, "大阪"));
        // And one from Latin text only gives them back.
        edit = await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}", new { content = "next: 京都へ" });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        Assert.Equal([message.Id], await IdsAsync(owner, serverId, "京都"));
        Assert.Empty(await IdsAsync(owner, serverId, "大阪"));

        // The searches check the text, so a pair the index kept from an old text would not show above; on SQLite, ask the
        // index itself (PostgreSQL's is an expression index over the current text), once the edits are in it.
        await app.IndexPendingAsync();
        var ids = new[] { message.Id.Value, other.Id.Value };
        var indexed = await app.QueryAsync(async db => db is not SqliteKamaDbContext ? null : new
        {
            Kyoto = await IndexedAsync(db, "京都"),
            Gone = await IndexedAsync(db, "東京", "大阪", "阪は", "晴れ"),
        });
        if (indexed is not null)
        {
            Assert.Equal([message.Id.Value], indexed.Kyoto.Intersect(ids));
            Assert.Empty(indexed.Gone.Intersect(ids));
        }
    }

    /// <summary>The messages SQLite's two-character index holds under any of <paramref name="pairs"/>.</summary>
    private static Task<List<long>> IndexedAsync(KamaDbContext db, params string[] pairs) =>
        db.Database.SqlQueryRaw<long>("SELECT rowid AS \"Value\" FROM message_bigrams_fts WHERE message_bigrams_fts MATCH {0}",
            string.Join(" OR ", pairs.Select(p => "\"" + p + "\""))).ToListAsync();

    [Fact]
    public async Task Short_words_are_found_too()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var ok = await owner.Client.SendOkAsync(channelId, "OK, go ahead");
        await owner.Client.SendOkAsync(channelId, "nothing here");

        Assert.Equal([ok.Id], await IdsAsync(owner, serverId, "ok"));
        Assert.Equal([ok.Id], await IdsAsync(owner, serverId, "go ahead"));
        // Only short words: no text index at all, the messages walked newest first with the filters checked on each.
        var member = await app.UserAsync();
        await app.SeedMemberAsync(serverId, member);
        var memberOk = await member.Client.SendOkAsync(channelId, "ok by me");
        Assert.Equal([memberOk.Id, ok.Id], await IdsAsync(owner, serverId, "ok"));
        Assert.Equal([memberOk.Id], await IdsAsync(owner, serverId, $"ok from:{member.Username}"));
        Assert.Equal([ok.Id], await IdsAsync(owner, serverId, "ok -me"));
        Assert.Equal([ok.Id, memberOk.Id], await IdsAsync(owner, serverId, "ok in:general", SearchSort.Oldest));
        Assert.Empty(await IdsAsync(owner, serverId, "ok -ok"));
    }

    [Fact]
    public async Task Every_filter_narrows_the_results()
    {
        var member = await app.UserAsync();
        var (serverId, general, owner) = await app.SeedServerWithChannelAsync(member);
        var random = await app.SeedTextChannelAsync(serverId, name: "random");
        var linked = await owner.Client.SendOkAsync(general, "alpha plan, see https://example.com/plan");
        var mention = await member.Client.SendOkAsync(random, $"alpha plan for <@{owner.Id}>");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{general}/pins/{linked.Id}", null)).StatusCode);
        var day = mention.Id.Timestamp;
        string Day(int offset) => day.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, $"alpha from:{member.Username}"));
        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, $"from:{member.Username.ToUpperInvariant()}"));
        Assert.Equal([mention.Id, linked.Id], await IdsAsync(owner, serverId, $"alpha from:{member.Username} from:{owner.Username}"));
        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, "plan in:random"));
        Assert.Equal([linked.Id], await IdsAsync(owner, serverId, "plan in:#GENERAL"));
        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, $"mentions:{owner.Username}"));
        Assert.Equal([linked.Id], await IdsAsync(owner, serverId, "alpha pinned:true"));
        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, "alpha pinned:false"));
        Assert.Equal([linked.Id], await IdsAsync(owner, serverId, "has:link"));
        Assert.Equal([linked.Id], await IdsAsync(owner, serverId, "plan has:link"));
        Assert.Empty(await IdsAsync(owner, serverId, "has:image"));
        Assert.Equal([mention.Id, linked.Id], await IdsAsync(owner, serverId, $"alpha during:{Day(0)}"));
        Assert.Equal([mention.Id, linked.Id], await IdsAsync(owner, serverId, $"alpha after:{Day(-1)} before:{Day(1)}"));
        Assert.Empty(await IdsAsync(owner, serverId, $"alpha before:{Day(0)}"));
        Assert.Empty(await IdsAsync(owner, serverId, $"alpha after:{Day(0)}"));
        Assert.Empty(await IdsAsync(owner, serverId, "alpha from:nobody_by_this_name"));
        Assert.Empty(await IdsAsync(owner, serverId, "alpha in:no-such-channel"));
        Assert.Empty(await IdsAsync(owner, serverId, "mentions:nobody_by_this_name"));
    }

    [Fact]
    public async Task A_hit_has_its_message_highlights_and_neighbours()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var before = await owner.Client.SendOkAsync(channelId, "first");
        var found = await owner.Client.SendOkAsync(channelId, "the Needle here, needles there", replyTo: before.Id);
        var after = await owner.Client.SendOkAsync(channelId, "last");

        var hit = Assert.Single((await SearchAsync(owner, serverId, "needle")).Hits);
        Assert.Equal(found.Id, hit.Message.Id);
        Assert.Equal(channelId, hit.Message.ChannelId);
        Assert.Equal(owner.Id, hit.Message.Author.Id);
        Assert.Equal(owner.Username, hit.Message.Author.Username);
        // To the millisecond: SQLite keeps no finer time than that (the send response carries the unsaved value).
        Assert.Equal(found.CreatedAt.ToUnixTimeMilliseconds(), hit.Message.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(before.Id, hit.Message.ReplyTo?.Id);
        Assert.Equal("first", hit.Message.ReplyTo?.Content);
        Assert.Equal([new HighlightRange(4, 6), new HighlightRange(17, 6)], hit.Highlights);
        Assert.Equal(before.Id, hit.Previous?.Id);
        Assert.Equal("first", hit.Previous?.Content);
        Assert.Equal(after.Id, hit.Next?.Id);

        var edge = Assert.Single((await SearchAsync(owner, serverId, "first")).Hits);
        Assert.Null(edge.Previous);
        Assert.Equal(found.Id, edge.Next?.Id);
    }

    [Fact]
    public async Task Totals_stop_at_the_cap_and_pages_follow_the_sort()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var ids = await app.SeedMessagesAsync(channelId, owner, MessageSearch.CountCap + 5);

        var newest = await SearchAsync(owner, serverId, "message", SearchSort.Newest, offset: 0, limit: 25);
        Assert.Equal(MessageSearch.CountCap, newest.TotalResults);
        Assert.True(newest.TotalIsCapped);
        Assert.Equal(Enumerable.Reverse(ids).Take(25), newest.Ids());
        var second = await SearchAsync(owner, serverId, "message", SearchSort.Newest, offset: 25, limit: 10);
        Assert.Equal(Enumerable.Reverse(ids).Skip(25).Take(10), second.Ids());
        var oldest = await SearchAsync(owner, serverId, "message", SearchSort.Oldest, offset: 0, limit: 5);
        Assert.Equal(ids.Take(5), oldest.Ids());
        var deep = await SearchAsync(owner, serverId, "message", SearchSort.Oldest, offset: 1000, limit: 25);
        Assert.Equal(ids.Skip(1000), deep.Ids());

        // "message 100" and "message 1000" to "message 1004".
        var few = await SearchAsync(owner, serverId, "\"message 100\"", SearchSort.Newest);
        Assert.Equal(6, few.TotalResults);
        Assert.False(few.TotalIsCapped);
    }

    [Fact]
    public async Task Relevance_puts_whole_words_above_newer_partial_matches()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var whole = await owner.Client.SendOkAsync(channelId, "the server is down");
        var partial = await owner.Client.SendOkAsync(channelId, "webservers everywhere");

        Assert.Equal([whole.Id, partial.Id], await IdsAsync(owner, serverId, "server", SearchSort.Relevance));
        Assert.Equal([partial.Id, whole.Id], await IdsAsync(owner, serverId, "server", SearchSort.Newest));
        Assert.Equal([whole.Id, partial.Id], await IdsAsync(owner, serverId, "server", SearchSort.Oldest));
    }

    [Fact]
    public async Task A_phrase_is_found_wherever_its_words_meet_whatever_they_hold()
    {
        // A phrase is a substring: its first word may end a longer one and its last begin one, a word may be one letter,
        // and folded text (accents, 'ß', CJK, punctuation) must meet the stored text as the database folded it. What any
        // lookup by where a phrase's words meet (tried on PostgreSQL, see PostgresSearchEngine.SpaceStandIn) must keep.
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var within = await owner.Client.SendOkAsync(channelId, "within items, say");
        var inIt = await owner.Client.SendOkAsync(channelId, "in it we trust");
        await owner.Client.SendOkAsync(channelId, "in, it and init, inn itch");
        var letters = await owner.Client.SendOkAsync(channelId, "x y z ok");
        await owner.Client.SendOkAsync(channelId, "x  y z, xy z");
        var strasse = await owner.Client.SendOkAsync(channelId, "Die Straße ist lang");
        var tokyo = await owner.Client.SendOkAsync(channelId, "東京 タワー に行く");
        var dots = await owner.Client.SendOkAsync(channelId, "wait... what? yes");
        var cafe = await owner.Client.SendOkAsync(channelId, "un café au lait");

        Assert.Equal([inIt.Id, within.Id], await IdsAsync(owner, serverId, "\"in it\""));
        Assert.Equal([within.Id], await IdsAsync(owner, serverId, "\"thin items\""));
        Assert.Equal([letters.Id], await IdsAsync(owner, serverId, "\"x y z\""));
        Assert.Equal([strasse.Id], await IdsAsync(owner, serverId, "\"straße ist\""));
        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "\"東京 タワー\""));
        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "\"京 タ\""));
        Assert.Equal([dots.Id], await IdsAsync(owner, serverId, "\"... what?\""));
        Assert.Equal([cafe.Id], await IdsAsync(owner, serverId, "\"CAFE AU lait\""));
        Assert.Empty(await IdsAsync(owner, serverId, "\"items say\""));
    }

    [Fact]
    public async Task Pattern_characters_and_operators_are_plain_text()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var percent = await owner.Client.SendOkAsync(channelId, "the 7531% case, zq_w and \\ backslash \"quoted\" NEAR(x y) a*b");
        // If % or _ acted as LIKE wildcards, or * and NEAR as FTS5 syntax, these would match too.
        await owner.Client.SendOkAsync(channelId, "75310 cases of zqxw, near x y, aXb");

        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "7531%"));
        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "zq_w"));
        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "\\ backslash"));
        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "backslash \"quoted\""));
        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "NEAR(x"));
        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "a*b"));
        Assert.Empty(await IdsAsync(owner, serverId, "zq* OR 7531"));
    }

    private async Task<List<Snowflake>> IdsAsync(TestUser user, Snowflake serverId, string q, SearchSort sort = SearchSort.Newest) =>
        (await SearchAsync(user, serverId, q, sort)).Ids();

    /// <summary>With <c>before</c>/<c>after</c> as message ids (the structured parameters).</summary>
    private static async Task<List<Snowflake>> BoundedIdsAsync(TestUser user, Snowflake serverId, string q, Snowflake? before = null, Snowflake? after = null)
    {
        var parameters = new List<(string, string)> { ("q", q) };
        if (before is { } b)
            parameters.Add(("before", b.ToString()));
        if (after is { } a)
            parameters.Add(("after", a.ToString()));
        return (await user.SearchServerAsync(serverId, [.. parameters])).Ids();
    }

    private async Task<MessageSearchResponse> SearchAsync(TestUser user, Snowflake serverId, string q, SearchSort sort = SearchSort.Newest, int offset = 0, int limit = 25)
    {
        var response = await user.SearchServerAsync(serverId, ("q", q), ("sort", sort.ToString().ToLowerInvariant()),
            ("offset", offset.ToString(CultureInfo.InvariantCulture)), ("limit", limit.ToString(CultureInfo.InvariantCulture)));
        await app.AssertFilterPlanAgreesAsync(user, serverId, q, sort, offset, limit, response);
        return response;
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSearchTests(SqliteSearchApp app) : SearchTests(app), IClassFixture<SqliteSearchApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSearchTests(PostgresSearchApp app) : SearchTests(app), IClassFixture<PostgresSearchApp>;
