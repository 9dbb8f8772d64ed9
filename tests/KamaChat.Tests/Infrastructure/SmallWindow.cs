using System.Net.Sockets;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// Connections whose receive buffer holds only a few bytes, set before connecting so the window the client offers stays
/// that small: a client that stops reading fills the server's side of the connection within a few megabytes, as a
/// frozen tab or a dead mobile link does. (Linked into the bench too.)
/// </summary>
public static class SmallWindow
{
    public static HttpMessageInvoker Invoker(int receiveBufferSize) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = receiveBufferSize };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
