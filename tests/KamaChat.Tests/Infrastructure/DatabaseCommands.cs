using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// Counts the SQL commands one app sends for requests while something runs (EF Core's diagnostic events, filtered to
/// that app's database). Only commands of a request's or a gateway connection's DbContext count: the app's background
/// work (the job queue, sweeps, polls) runs on its own timers and would otherwise fall into the window by chance, more
/// often the slower the machine. A context counts as a request's when any of its commands runs with a request at hand.
/// A cache's shared load runs in a context of its own, outside any request's flow: where those loads are what is
/// measured, <c>everything: true</c> counts every command (and background work may add to the count).
/// </summary>
public sealed class DatabaseCommands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _connectionString;
    private readonly IHttpContextAccessor _requests;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _all;
    private readonly Dictionary<DbContext, (int Commands, bool ForRequest)> _byContext = new(ReferenceEqualityComparer.Instance);

    private DatabaseCommands(string connectionString, IHttpContextAccessor requests)
    {
        (_connectionString, _requests) = (connectionString, requests);
        _all = DiagnosticListener.AllListeners.Subscribe(this);
    }

    public static async Task<int> CountAsync(KamaChatApp app, Func<Task> work, bool everything = false)
    {
        using var counter = new DatabaseCommands(
            await app.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!)), app.Services.GetRequiredService<IHttpContextAccessor>());
        await work();
        lock (counter._byContext)
            return counter._byContext.Values.Where(c => everything || c.ForRequest).Sum(c => c.Commands);
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            lock (_subscriptions)
                _subscriptions.Add(listener.Subscribe(this));
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.CommandExecuting.Name && value.Value is CommandEventData { Context: { } context } &&
            context.Database.GetConnectionString() == _connectionString)
        {
            var forRequest = _requests.HttpContext is not null;
            lock (_byContext)
            {
                var (commands, seen) = _byContext.GetValueOrDefault(context);
                _byContext[context] = (commands + 1, seen || forRequest);
            }
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _all.Dispose();
        lock (_subscriptions)
            foreach (var subscription in _subscriptions)
                subscription.Dispose();
    }
}
