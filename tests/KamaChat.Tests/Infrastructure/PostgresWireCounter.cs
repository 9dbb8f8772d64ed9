using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A loopback proxy in front of a PostgreSQL server that reads what clients send (the frontend side of the wire
/// protocol) and counts the statements: each Execute of the extended protocol, and each statement of a simple Query
/// message, which is how Npgsql sends its connection reset. Everything Npgsql runs on the server passes here, including
/// what never goes through EF Core's diagnostics. And the round trips: what a client sends up to each Sync (or a simple
/// Query), after which it waits for the server; one that only prepares statements is not counted. Clients must not ask for TLS (<c>SSL Mode=Disable</c>).
/// </summary>
public sealed class PostgresWireCounter : IAsyncDisposable
{
    private const int SslRequest = 80877103;
    private const int GssEncryptionRequest = 80877104;

    private readonly TcpProxy _proxy;
    private readonly Lock _gate = new();
    private readonly List<string> _simpleQueries = [];
    private readonly List<string> _executed = [];
    private readonly List<IReadOnlyList<string>> _roundTrips = [];

    public PostgresWireCounter(int targetPort) => _proxy = new TcpProxy(targetPort, CountAsync);

    public int Port => _proxy.Port;

    /// <summary>
    /// What has been sent so far: the statements run through the extended protocol, and the simple queries, by their
    /// text; and the round trips that ran something, each the texts it executed or queried.
    /// </summary>
    public (IReadOnlyList<string> Executed, IReadOnlyList<string> SimpleQueries, IReadOnlyList<IReadOnlyList<string>> RoundTrips) Sent()
    {
        lock (_gate)
            return ([.. _executed], [.. _simpleQueries], [.. _roundTrips]);
    }

    /// <summary>The statements in a simple query's text (its parts between semicolons).</summary>
    public static int StatementsIn(string query) => query.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;

    /// <summary>Forwards the client's messages one by one, counting the statements among them.</summary>
    private async Task CountAsync(Socket client, Socket server)
    {
        await using var from = new NetworkStream(client);
        await using var to = new NetworkStream(server);
        var header = new byte[8];
        try
        {
            // Untyped start-up packets first (length, then a code): requests for TLS or GSS encryption (refused by a
            // server without them, and the client goes on), a cancel request, then the start-up message itself.
            while (true)
            {
                await from.ReadExactlyAsync(header.AsMemory(0, 8));
                var length = BinaryPrimitives.ReadInt32BigEndian(header);
                var code = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
                var rest = new byte[length - 8];
                await from.ReadExactlyAsync(rest);
                await to.WriteAsync(header.AsMemory(0, 8));
                await to.WriteAsync(rest);
                if (code is not (SslRequest or GssEncryptionRequest))
                    break;
            }
            // The connection's statements by name ("" the unnamed one), and the one its last Bind bound.
            var statements = new Dictionary<string, string>();
            var bound = "";
            var roundTrip = new List<string>();
            while (true)
            {
                await from.ReadExactlyAsync(header.AsMemory(0, 5));
                var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
                await from.ReadExactlyAsync(body);
                switch ((char)header[0])
                {
                    case 'P': // Parse: statement name, query text
                        var (name, afterName) = CString(body, 0);
                        statements[name] = CString(body, afterName).Text;
                        break;
                    case 'B': // Bind: portal name, statement name
                        bound = statements.GetValueOrDefault(CString(body, CString(body, 0).Next).Text, "");
                        break;
                    case 'E':
                        roundTrip.Add(bound);
                        lock (_gate)
                            _executed.Add(bound);
                        break;
                    case 'S': // Sync: the client now waits for the server's answers
                        // Not one that only prepared statements (once per pooled connection and text).
                        if (roundTrip.Count == 0)
                            break;
                        lock (_gate)
                            _roundTrips.Add(roundTrip);
                        roundTrip = [];
                        break;
                    case 'Q':
                        lock (_gate)
                        {
                            _simpleQueries.Add(CString(body, 0).Text);
                            _roundTrips.Add([CString(body, 0).Text]);
                        }
                        break;
                }
                await to.WriteAsync(header.AsMemory(0, 5));
                await to.WriteAsync(body);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or EndOfStreamException)
        {
            // A side closed.
        }
    }

    private static (string Text, int Next) CString(byte[] body, int start)
    {
        var end = Array.IndexOf(body, (byte)0, start);
        return (Encoding.UTF8.GetString(body, start, end - start), end + 1);
    }

    public ValueTask DisposeAsync() => _proxy.DisposeAsync();
}
