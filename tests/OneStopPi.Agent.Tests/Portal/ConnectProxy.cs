using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OneStopPi.Agent.Tests.Portal;

/// <summary>
/// A small HTTP CONNECT proxy on 127.0.0.1 for the proxy tests: it tunnels only to loopback, may demand
/// Basic credentials (407 with Proxy-Authenticate otherwise). It counts what it saw. Bounded: at most 64
/// connections at once.
/// </summary>
internal sealed class ConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(64);
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    public ConnectProxy(string? user = null, string? password = null)
    {
        ExpectedAuthorization = user is null ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string? ExpectedAuthorization { get; }

    private readonly List<string> _targets = [];
    private int _connects;
    private int _refused407;
    private int _forbidden;

    /// <summary>Tunnels opened.</summary>
    public int Connects => Volatile.Read(ref _connects);

    public int Refused407 => Volatile.Read(ref _refused407);

    /// <summary>CONNECTs to anything but loopback, refused.</summary>
    public int Forbidden => Volatile.Read(ref _forbidden);

    public IReadOnlyList<string> Targets
    {
        get
        {
            lock (_targets)
            {
                return [.. _targets];
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await _slots.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                client.Dispose();
                return;
            }

            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: true);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            while (true)
            {
                string? head = await ReadHeadAsync(stream, timeout.Token);
                if (head is null)
                {
                    return;
                }

                string[] lines = head.Split("\r\n");
                string[] request = lines[0].Split(' ');
                string? authorization = lines.Skip(1).Where(l => l.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => l["Proxy-Authorization:".Length..].Trim()).FirstOrDefault();
                if (request.Length < 3 || request[0] != "CONNECT")
                {
                    await WriteAsync(stream, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", timeout.Token);
                    return;
                }

                if (ExpectedAuthorization is not null && authorization != ExpectedAuthorization)
                {
                    Interlocked.Increment(ref _refused407);
                    // Keep-alive: the client answers the challenge on the same connection.
                    await WriteAsync(stream, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n", timeout.Token);
                    continue;
                }

                int colon = request[1].LastIndexOf(':');
                if (colon < 0 || !IPAddress.TryParse(request[1][..colon].Trim('[', ']'), out IPAddress? host) || !IPAddress.IsLoopback(host)
                    || !int.TryParse(request[1][(colon + 1)..], out int port))
                {
                    Interlocked.Increment(ref _forbidden);
                    await WriteAsync(stream, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", timeout.Token);
                    return;
                }

                lock (_targets)
                {
                    _targets.Add(request[1]);
                }

                Interlocked.Increment(ref _connects);
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(host, port, timeout.Token);
                await WriteAsync(stream, "HTTP/1.1 200 Connection established\r\n\r\n", timeout.Token);
                using var pipe = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
                NetworkStream server = upstream.GetStream();
                Task up = CopyAsync(stream, server, pipe.Token);
                Task down = CopyAsync(server, stream, pipe.Token);
                await Task.WhenAny(up, down);

                await pipe.CancelAsync();
                return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A client or server that went away: the tunnel ends, as a real proxy's does.
        }
        finally
        {
            _slots.Release();
        }
    }

    private static Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken) =>
        from.CopyToAsync(to, cancellationToken);

    private static async Task<string?> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (head.Length < 8192)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            head.Append((char)one[0]);
            if (head.Length >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return head.ToString(0, head.Length - 4);
            }
        }

        return null;
    }

    private static Task WriteAsync(Stream stream, string text, CancellationToken cancellationToken) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}
