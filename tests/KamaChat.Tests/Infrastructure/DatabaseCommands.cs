using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// Counts the SQL commands one app sends for requests while something runs (EF Core's diagnostic events, filtered to
/// that app's database). Only commands sent on behalf of a request or a gateway connection count: the app's background
/// work (the job queue, sweeps, polls) runs on its own timers and would otherwise fall into the window by chance, more
/// often the slower the machine.
/// </summary>
public sealed class DatabaseCommands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _connectionString;
    private readonly IHttpContextAccessor _requests;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _all;
    private int _count;

    private DatabaseCommands(string connectionString, IHttpContextAccessor requests)
    {
        (_connectionString, _requests) = (connectionString, requests);
        _all = DiagnosticListener.AllListeners.Subscribe(this);
    }

    public static async Task<int> CountAsync(KamaChatApp app, Func<Task> work)
    {
        using var counter = new DatabaseCommands(
            await app.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!)), app.Services.GetRequiredService<IHttpContextAccessor>());
        await work();
        return counter._count;
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            lock (_subscriptions)
                _subscriptions.Add(listener.Subscribe(this));
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.CommandExecuting.Name && value.Value is CommandEventData data &&
            data.Context?.Database.GetConnectionString() == _connectionString && _requests.HttpContext is not null)
            Interlocked.Increment(ref _count);
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
