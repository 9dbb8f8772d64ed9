using System.Data.Common;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// Whether a PostgreSQL database lower-cases letters beyond ASCII. Search folds text with <c>lower()</c> and indexes it
/// with pg_trgm, and both follow the database's LC_CTYPE, which no query can override for pg_trgm: under <c>C</c> (or
/// the SQL_ASCII encoding) <c>lower('ПРИВЕТ')</c> is 'ПРИВЕТ', so a search for "привет" misses it, and pg_trgm takes no
/// trigram from Cyrillic or Greek letters, so a search for them reads every message. Latin accents are not at stake
/// (<c>unaccent</c> removes them before <c>lower()</c>). A UTF-8 locale such as C.UTF-8 folds them.
/// </summary>
internal static class PostgresTextFolding
{
    // Capitals of three scripts, and what a Unicode-aware LC_CTYPE lower-cases them to.
    private const string Capitals = "ΣЖÉ";
    private const string LowerCase = "σжé";

    public sealed record Finding(bool Folds, string Database, string Ctype, string Encoding)
    {
        public string Locale => $"database {Database} has LC_CTYPE {Ctype} and encoding {Encoding}";

        public string Problem =>
            $"{Locale}, under which PostgreSQL lower-cases only ASCII letters: search does not find 'ПРИВЕТ' for 'привет' " +
            "(nor Greek or other non-Latin capitals), and its trigram index holds no letter beyond ASCII";

        public string Fix(string? owner) =>
            $"move the data into a database created with a UTF-8 locale: pg_dump -Fc {Database} > kamachat.dump; " +
            $"createdb --owner {owner ?? "kamachat"} --locale=C.UTF-8 --encoding=UTF8 --template=template0 {Database}_utf8; " +
            $"pg_restore -d {Database}_utf8 kamachat.dump; then point DATABASE_URL at it";
    }

    /// <summary>Asks the database <paramref name="connection"/> (open) is connected to.</summary>
    public static async Task<Finding> ProbeAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT pg_catalog.lower($1) = $2, d.datname, d.datctype, pg_catalog.pg_encoding_to_char(d.encoding) " +
            "FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()";
        foreach (var value in new[] { Capitals, LowerCase })
        {
            var parameter = command.CreateParameter();
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new Finding(reader.GetBoolean(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
    }
}
