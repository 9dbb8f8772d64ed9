using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace KamaChat.Server.Data;

/// <summary>
/// An EF Core compiled query (<c>EF.CompileAsyncQuery</c>) for each model it runs against. A compiled query binds itself
/// to the model of the first context that runs it, and one process may hold contexts of both providers (the test suite
/// does), whose models and SQL differ: <c>Query.For(db)(db, …)</c> runs the one compiled for <paramref name="compile"/>'s
/// query on <c>db</c>'s model.
/// </summary>
public sealed class CompiledPerModel<TQuery>(Func<DbContext, TQuery> compile) where TQuery : Delegate
{
    private readonly ConcurrentDictionary<IModel, TQuery> byModel = new(ReferenceEqualityComparer.Instance);

    public CompiledPerModel(Func<TQuery> compile) : this(_ => compile())
    {
    }

    /// <summary>The query compiled for <paramref name="db"/>'s model (by the first context of that model to ask, for a query whose form depends on the provider).</summary>
    public TQuery For(DbContext db) => byModel.GetOrAdd(db.Model, static (_, state) => state.compile(state.db), (compile, db));
}
