namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Makes the process's shared <see cref="System.Buffers.ArrayPool{T}"/> keep as many buffers as one fan-out holds at
/// once. Each gateway connection's outgoing pipe (SignalR's, from the shared pool: not configurable) rents a 4 KiB
/// buffer for the event written to it and gives it back once the connection's send loop has sent it, so one event to a
/// group of 200 connections holds 200 of them for a moment. The pool keeps at most 32 per size and core (64 on two
/// cores): the rest were new arrays each time, dropped again when given back. In the gateway bench (200 clients, 4 x 50
/// sends/s) those arrays were 98% of the node's byte arrays and about 70% of everything it allocated, and so most of its
/// garbage collections, which stop every delivery at once.
/// </summary>
/// <remarks>
/// The runtime reads the limit from the environment only, once, when the pool is first used: so it is set here, first
/// thing in <c>Program</c>, unless the operator set it (in the real environment: <c>.env</c> is read too late for it). The
/// pool keeps only what was given back, at most what was out at once, and gives back what went unused for a while at a
/// full garbage collection.
/// </remarks>
public static class FanoutBufferPool
{
    public const string Variable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>Buffers of one size the pool keeps per core: a fan-out to a few thousand connections on a few cores.</summary>
    public const int ArraysPerCore = 1024;

    /// <summary>Before anything rents from the shared pool; a value the operator set stays.</summary>
    public static void Configure()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
            Environment.SetEnvironmentVariable(Variable, ArraysPerCore.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
