using System.Text;

namespace KamaChat.Bench;

/// <summary>
/// Synthetic chat history for the search benchmark, the same for a given seed: Zipf-distributed words (real common words
/// at the head, made-up words in the long tail, as real vocabularies have), log-normal message lengths, and a language
/// mix — English, German/French/Spanish with accents, Russian, Japanese and Chinese without spaces.
/// </summary>
public sealed class SearchCorpus
{
    private const string English =
        "the to and you that it of for is in this on have be not with just what but are so was can do like get if know " +
        "at all think one will my about me we they your out up there it's don't how good now time yeah people would " +
        "because when then make more here some see also really going need work want right back thing well still " +
        "server deploy deployment build release update issue error bug fix test tests merge branch commit review " +
        "channel message search database index query cache latency memory network socket thread queue worker " +
        "meeting tomorrow today yesterday weekend morning evening lunch coffee game games play played music video " +
        "picture photo link file download upload share anyone someone everyone thanks please sorry maybe probably " +
        "actually already different important problem question answer idea change changes version config settings";

    private const string European =
        "café crème déjà très être où français garçon hôtel naïve résumé cliché fiancée élève problème fenêtre " +
        "straße grün über schön müde mädchen fräulein größe tschüss küche später österreich zürich " +
        "mañana niño español año señor corazón canción está también información pingüino acción";

    private const string Russian = "привет сервер сообщение сегодня завтра спасибо пожалуйста хорошо работа вопрос";

    private const string Japanese =
        "東京 大阪 京都 東京タワー 新宿 渋谷 今日 明日 昨日 会議 仕事 天気 電車 駅 時間 写真 動画 音楽 友達 " +
        "サーバー デプロイ リリース バグ テスト データベース 検索 メッセージ チャンネル ありがとう よろしく";

    private const string Chinese =
        "北京 上海 广州 深圳 今天 明天 昨天 服务器 数据库 消息 搜索 频道 问题 谢谢 工作 时间 朋友 电影 音乐 " +
        "发布 测试 部署 更新 公司 学校 老师 学生 中国 城市 公园 天气 晚饭 咖啡";

    private const string JapaneseJoiners = "はがをにでとものへからまで";
    private const string ChineseJoiners = "的了是在我有和就不人都一个上也很到说要去你会着没看好自己这";

    private readonly Random _random;
    private readonly string[] _english;
    private readonly double[] _englishCumulative;
    private readonly string[] _european = European.Split(' ');
    private readonly string[] _russian = Russian.Split(' ');
    private readonly string[] _japanese = Japanese.Split(' ');
    private readonly string[] _chinese = Chinese.Split(' ');

    public SearchCorpus(int seed, int tailWords = 30_000)
    {
        _random = new Random(seed);
        // The long tail: pronounceable made-up words, each rarer than the last.
        var tail = new HashSet<string>(StringComparer.Ordinal);
        var syllables = "ka,lo,mi,ter,van,os,rel,dun,pri,sta,quo,len,bar,gi,fen,dor,ul,sat,ix,mor,plen,tra,vek,zu,han,cor".Split(',');
        var words = English.Split(' ').Distinct().ToList();
        while (tail.Count < tailWords)
        {
            var word = string.Concat(Enumerable.Range(0, _random.Next(2, 5)).Select(_ => syllables[_random.Next(syllables.Length)]));
            if (word.Length >= 5 && !words.Contains(word))
                tail.Add(word);
        }
        words.AddRange(tail);
        _english = [.. words];
        // Zipf (s = 1.05) over ranks.
        _englishCumulative = new double[_english.Length];
        var sum = 0.0;
        for (var rank = 0; rank < _english.Length; rank++)
            _englishCumulative[rank] = sum += 1 / Math.Pow(rank + 1, 1.05);
    }

    /// <summary>Word by frequency rank (0 = most common).</summary>
    public string EnglishWord(int rank) => _english[rank];

    public int EnglishWordCount => _english.Length;

    public IReadOnlyList<string> JapaneseWords => _japanese;

    public IReadOnlyList<string> ChineseWords => _chinese;

    public Random Random => _random;

    public string NextMessage()
    {
        var roll = _random.NextDouble();
        var text = roll switch
        {
            < 0.70 => Latin(_ => NextEnglish(), 0.08),
            < 0.78 => Latin(i => i % 3 == 0 ? Pick(_european) : NextEnglish(), 0.08),
            < 0.81 => Latin(i => i % 2 == 0 ? Pick(_russian) : NextEnglish(), 0.0),
            < 0.91 => Cjk(_japanese, JapaneseJoiners, "。"),
            _ => Cjk(_chinese, ChineseJoiners, "。"),
        };
        return text.Length <= 4000 ? text : text[..4000];
    }

    private string NextEnglish()
    {
        var x = _random.NextDouble() * _englishCumulative[^1];
        var index = Array.BinarySearch(_englishCumulative, x);
        return _english[index < 0 ? ~index : index];
    }

    /// <summary>Log-normal word counts: most messages a handful of words, a few long ones.</summary>
    private int NextLength(double median)
    {
        var gaussian = Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
        return Math.Clamp((int)Math.Round(median * Math.Exp(0.9 * gaussian)), 1, 600);
    }

    private string Latin(Func<int, string> word, double linkChance)
    {
        var count = NextLength(9);
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
                builder.Append(' ');
            var w = word(i);
            builder.Append(i == 0 ? char.ToUpperInvariant(w[0]) + w[1..] : w);
            if (_random.NextDouble() < 0.06)
                builder.Append(_random.NextDouble() < 0.5 ? "," : ".");
        }
        if (_random.NextDouble() < linkChance)
            builder.Append(" https://example.com/").Append(NextEnglish());
        return builder.ToString();
    }

    private string Cjk(string[] words, string joiners, string stop)
    {
        var count = NextLength(6);
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Append(Pick(words));
            if (_random.NextDouble() < 0.6)
                builder.Append(joiners[_random.Next(joiners.Length)]);
            if (_random.NextDouble() < 0.15)
                builder.Append(stop);
        }
        return builder.ToString();
    }

    private string Pick(string[] words) => words[(int)Math.Min(words.Length - 1, Math.Floor(words.Length * Math.Pow(_random.NextDouble(), 2)))];
}
