using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace KamaChat.Server.Data;

/// <summary>
/// Commands written by hand (several statements in one round trip, SQL no LINQ can say) on a context's own connection,
/// counted in <c>kamachat.db.commands</c>: <see cref="DatabaseMetrics"/> sees only the commands EF Core makes, and a
/// raw batch left out made a search or a history page look cheaper in the bench's queries per operation than it is.
/// </summary>
public static class RawCommands
{
    /// <summary>
    /// A command on <paramref name="db"/>'s connection, in its current transaction, counted as the
    /// <paramref name="statements"/> it will send (one count each, as <see cref="DatabaseMetrics.Sent"/> counts). Every
    /// command made here is sent once; the connection is the caller's to open.
    /// </summary>
    public static DbCommand Create(KamaDbContext db, int statements) => Create(db, statements, CommandInterceptors.Of(db));

    /// <inheritdoc cref="Create(KamaDbContext, int)"/>
    /// <param name="interceptors"><paramref name="db"/>'s, when the caller has them already.</param>
    public static DbCommand Create(KamaDbContext db, int statements, CommandInterceptors interceptors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statements, 1);
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        interceptors.Metrics?.Sent(statements);
        return command;
    }

    /// <summary>Adds a parameter by name (<c>@name</c> in the text), for the hand-written commands' values.</summary>
    public static void AddParameter(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        (parameter.ParameterName, parameter.Value) = (name, value);
        command.Parameters.Add(parameter);
    }
}
