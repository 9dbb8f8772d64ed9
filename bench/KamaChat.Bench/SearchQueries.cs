using System.Globalization;

namespace KamaChat.Bench;

public sealed record QueryClass(string Name, List<string> Queries);

/// <summary>The benchmark's query classes, drawn from the corpus's vocabulary and from stored messages.</summary>
public static class SearchQueries
{
    public static List<QueryClass> Build(SearchCorpus corpus, SearchDatabase database, int count)
    {
        var random = new Random(7);
        string Word(int fromRank, int toRank, int minLength)
        {
            while (true)
            {
                var word = corpus.EnglishWord(random.Next(fromRank, Math.Min(toRank, corpus.EnglishWordCount)));
                if (word.Length >= minLength && word.All(char.IsLetter))
                    return word;
            }
        }
        List<string> Many(Func<string> next) => Enumerable.Range(0, count).Select(_ => next()).ToList();

        var latin = database.SampledContents.Where(c => c.Length > 0 && c[0] < 0x3000 && c.Split(' ').Length >= 3).ToList();
        var cjk = database.SampledContents.Where(c => c.Any(ch => ch >= 0x3040)).ToList();
        string Phrase()
        {
            var words = latin[random.Next(latin.Count)].Split(' ');
            var at = random.Next(words.Length - 1);
            return $"\"{words[at].Trim(',', '.')} {words[at + 1].Trim(',', '.')}\"";
        }
        string CjkSubstring(int length)
        {
            while (true)
            {
                var text = cjk[random.Next(cjk.Count)];
                if (text.Length <= length)
                    continue;
                var part = text.Substring(random.Next(text.Length - length), length);
                if (part.All(ch => ch >= 0x3040 && ch != '。'))
                    return part;
            }
        }
        string Inside()
        {
            var word = Word(40, 3000, 7);
            return word.Substring(random.Next(1, word.Length - 4), 4);
        }
        string Filtered()
        {
            // A word of a stored message, with its author, its channel and three months around it: every query has at least
            // that hit, so the LIKE baseline cannot stop at once on an empty answer. Mostly chatty authors in busy channels
            // (the seed skews both), so the filters leave from a few hundred to thousands of messages.
            while (true)
            {
                var sample = database.SampledMessages[random.Next(database.SampledMessages.Count)];
                var words = sample.Content.Split(' ').Select(w => w.Trim(',', '.', '!', '?')).Where(w => w.Length >= 4 && w.All(char.IsAsciiLetter)).ToList();
                if (words.Count == 0)
                    continue;
                string Day(DateTimeOffset d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                return $"{words[random.Next(words.Count)]} from:user{sample.Author:D4} in:channel-{sample.Channel:D2} after:{Day(sample.CreatedAt.AddDays(-45))} before:{Day(sample.CreatedAt.AddDays(45))}";
            }
        }

        return
        [
            new("common word", Many(() => Word(0, 60, 3))),
            new("rare word", Many(() => Word(12_000, 30_000, 5))),
            new("phrase", Many(Phrase)),
            new("prefix (5 chars)", Many(() => Word(40, 3000, 7)[..5])),
            new("4-char substring", Many(Inside)),
            new("CJK substring (3-4 chars)", Many(() => CjkSubstring(3 + random.Next(2)))),
            new("CJK 2 chars (bigram index)", Many(() => CjkSubstring(2))),
            new("word+from+in+dates", Many(Filtered)),
        ];
    }
}
