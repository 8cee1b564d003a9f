using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OneStopPi.Agent.Tests.Portal;

/// <summary>
/// A small HTTP CONNECT proxy on 127.0.0.1 for the proxy tests: it tunnels only to loopback, may demand
/// Basic credentials (407 with Proxy-Authenticate otherwise). It counts what it saw. Bounded: at most 64
/// connections at once. It can misbehave on demand: cut every open tunnel now (<see cref="CutOpenTunnels"/>),
/// reset every new connection (<see cref="Refusing"/>), or cut tunnels in the middle of what they carry, after
/// half of a relayed chunk, at a seeded random chance per chunk (<see cref="CutChance"/>).
/// </summary>
internal sealed class ConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(64);
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    private readonly List<Socket> _tunnels = [];
    private readonly Random _random;
    private double _cutChance;
    private int _cutsUp;
    private int _cutsDown;
    private int _resets;
    private int _answersHeld;
    private TaskCompletionSource? _release;

    public ConnectProxy(string? user = null, string? password = null, int seed = 17)
    {
        _random = new Random(seed);
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

    /// <summary>While true, every new connection is accepted and reset at once.</summary>
    public bool Refusing { get; set; }

    /// <summary>The chance, per chunk relayed either way, that the tunnel is cut after half of that chunk.</summary>
    public double CutChance
    {
        get => Volatile.Read(ref _cutChance);
        set => Volatile.Write(ref _cutChance, value);
    }

    /// <summary>Tunnels cut while the agent was sending (its request half sent).</summary>
    public int CutsUp => Volatile.Read(ref _cutsUp);

    /// <summary>Tunnels cut while the portal was answering (the answer half delivered).</summary>
    public int CutsDown => Volatile.Read(ref _cutsDown);

    /// <summary>New connections reset while <see cref="Refusing"/>, and open tunnels cut by <see cref="CutOpenTunnels"/>.</summary>
    public int Resets => Volatile.Read(ref _resets);

    /// <summary>Answers held back (not relayed to the agent) since <see cref="HoldAnswers"/>.</summary>
    public int AnswersHeld => Volatile.Read(ref _answersHeld);

    /// <summary>From now on the portal's answers are held in the proxy, not relayed (the request went through).</summary>
    public void HoldAnswers()
    {
        lock (_random)
        {
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Resets every open tunnel and drops what was held: the portal answered, the agent never hears it.</summary>
    public int DropHeldAnswers()
    {
        TaskCompletionSource? release;
        lock (_random)
        {
            (release, _release) = (_release, null);
        }

        int cut = CutOpenTunnels();
        release?.TrySetResult();
        return cut;
    }

    /// <summary>Resets every tunnel open now (a proxy restarting, or one that drops idle connections).</summary>
    public int CutOpenTunnels()
    {
        Socket[] open;
        lock (_tunnels)
        {
            open = [.. _tunnels];
        }

        foreach (Socket socket in open)
        {
            Abort(socket);
            Interlocked.Increment(ref _resets);
        }

        return open.Length;
    }

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

            if (Refusing)
            {
                Interlocked.Increment(ref _resets);
                Abort(client);
                continue;
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
                lock (_tunnels)
                {
                    _tunnels.Add(client);
                }

                try
                {
                    Task up = RelayAsync(stream, server, client, upstream.Client, upwards: true, pipe.Token);
                    Task down = RelayAsync(server, stream, client, upstream.Client, upwards: false, pipe.Token);
                    await Task.WhenAny(up, down);
                    await pipe.CancelAsync();
                }
                finally
                {
                    lock (_tunnels)
                    {
                        _tunnels.Remove(client);
                    }
                }

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

    /// <summary>Copies one direction of a tunnel; at <see cref="CutChance"/> a chunk is cut in half and both sockets reset.</summary>
    private async Task RelayAsync(Stream from, Stream to, Socket client, Socket server, bool upwards, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            TaskCompletionSource? release;
            lock (_random)
            {
                release = upwards ? null : _release;
            }

            if (release is not null)
            {
                Interlocked.Increment(ref _answersHeld);
                await release.Task.WaitAsync(cancellationToken);
            }

            if (ShouldCut())
            {
                await to.WriteAsync(buffer.AsMemory(0, read / 2), cancellationToken);
                _ = upwards ? Interlocked.Increment(ref _cutsUp) : Interlocked.Increment(ref _cutsDown);
                Abort(client);
                Abort(server);
                return;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private bool ShouldCut()
    {
        double chance = CutChance;
        if (chance <= 0)
        {
            return false;
        }

        lock (_random)
        {
            return _random.NextDouble() < chance;
        }
    }

    /// <summary>Closes with a reset (linger 0), as a proxy that drops a connection does; the peer sees it at once.</summary>
    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

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
