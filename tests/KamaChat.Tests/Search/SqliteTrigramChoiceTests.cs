using KamaChat.Server.Features.Search;

namespace KamaChat.Tests.Search;

/// <summary>
/// Which trigrams SQLite looks a long word or phrase up by (the candidates are then checked in memory, so the choice
/// changes only how much is read): the rarest that do not overlap, the rarity given here as the index's probe gives it
/// (the id of the 128th newest occurrence: lower is rarer).
/// </summary>
public sealed class SqliteTrigramChoiceTests
{
    [Fact]
    public void The_rarest_trigrams_that_do_not_overlap_are_chosen()
    {
        // As measured at 200,000 messages: tpr, atp and rim are the rarest, and all lie in "atprim".
        var reach = Reach("satprimorrel", ["tpr", "atp", "rim", "imo", "rre", "prr", "pri", "mor", "orr", "rel", "sat"]);

        Assert.Equal(["tpr", "imo", "rre"], SqliteSearchEngine.ChooseTrigrams("satprimorrel", reach));
    }

    [Fact]
    public void Too_short_for_three_apart_the_next_rarest_fill_in()
    {
        // "oshansta": osh, then ans (apart from osh); nothing else is apart from both, so sha, the next rarest, comes third.
        var reach = Reach("oshansta", ["osh", "sha", "ans", "han", "nst", "sta"]);

        Assert.Equal(["osh", "ans", "sha"], SqliteSearchEngine.ChooseTrigrams("oshansta", reach));
    }

    [Fact]
    public void Spaces_and_repeated_trigrams_count_once_at_their_first_place()
    {
        var phrase = Reach("to dunvekos", ["eko", "kos", "unv", "o d", "nve", "dun", " du", "vek", "to "]);
        Assert.Equal(["eko", "unv", "o d"], SqliteSearchEngine.ChooseTrigrams("to dunvekos", phrase));

        // "van" is at 2 and at 5, and counts at 2: "anp" (6) is apart from it, then "len" (9) from both.
        var word = Reach("mivanvanplen", ["van", "miv", "iva", "anv", "anp"]);
        Assert.Equal(["van", "anp", "len"], SqliteSearchEngine.ChooseTrigrams("mivanvanplen", word));
    }

    /// <summary>The text's trigrams, those listed rarest first, the rest commoner still.</summary>
    private static Dictionary<string, long> Reach(string text, string[] rarestFirst)
    {
        var reach = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i + 3 <= text.Length; i++)
            reach[text.Substring(i, 3)] = 1_000_000;
        for (var i = 0; i < rarestFirst.Length; i++)
            reach[rarestFirst[i]] = i;
        return reach;
    }
}
