using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// <c>kamachat_search_fold(text)</c> on SQLite: the content folded as the indexes and the in-memory check fold it
/// (<see cref="FoldedText.Fold"/>), for the terms too short for the trigram index. SQLite's own <c>LIKE</c> folds the case
/// of ASCII letters only and keeps accents, so <c>é</c> missed "café" and <c>ub</c> missed "Übung" there, while the same
/// letters inside a longer term, PostgreSQL (<c>kamachat_search_fold</c> over <c>unaccent</c>) and the other plans found them.
/// </summary>
internal static class SqliteSearchFold
{
    public const string Function = "kamachat_search_fold";

    private static readonly ConditionalWeakTable<sqlite3, object> Registered = [];

    /// <summary>
    /// Registers the function on <paramref name="connection"/>'s SQLite handle, once per handle: pooled connections keep
    /// theirs, and redefining a function would expire the statements the handle keeps prepared.
    /// </summary>
    public static void Register(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle } || Registered.TryGetValue(handle, out _))
            return;
        raw.sqlite3_create_function(handle, Function, 1, raw.SQLITE_UTF8 | raw.SQLITE_DETERMINISTIC, null, Fold);
        Registered.AddOrUpdate(handle, handle);
    }

    private static void Fold(sqlite3_context context, object user, sqlite3_value[] args)
    {
        if (raw.sqlite3_value_type(args[0]) == raw.SQLITE_NULL)
            raw.sqlite3_result_null(context);
        else
            raw.sqlite3_result_text(context, FoldedText.Fold(raw.sqlite3_value_text(args[0]).utf8_to_string()));
    }
}
