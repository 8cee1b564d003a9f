using System.Net;
using System.Net.Sockets;
using System.Text;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Simulator;

/// <summary>The simulator cannot start: an address that cannot be bound, too few descriptors, a bad option.</summary>
public sealed class SimulatorException : Exception
{
    public SimulatorException(string message) : base(message) { }

    public SimulatorException(string message, Exception innerException) : base(message, innerException) { }

    public SimulatorException() { }
}

/// <summary>
/// A fleet of simulated printers in one process: device i serves recording i mod R on its own address
/// (<see cref="DeviceAddresses"/>) and <see cref="SimulatorOptions.Port"/>. One UDP socket per device, each with
/// one asynchronous receive loop (no thread per device): the process needs one descriptor per device, and
/// <see cref="Start"/> raises the soft open-file limit to the hard limit when that is too low. Each device
/// handles its datagrams one after the other; devices run concurrently on the thread pool.
/// </summary>
public sealed class FleetSimulator : IAsyncDisposable
{
    private readonly SimulatorOptions _options;
    private readonly AgentLogic _logic;
    private readonly SimulatorCounters _counters = new();
    private readonly SimulatedDevice[] _devices;
    private readonly CancellationTokenSource _stop = new();
    private Socket[]? _sockets;
    private Task[]? _loops;
    private int _state; // 0 created, 1 started, 2 stopped

    private FleetSimulator(SimulatorOptions options, SimulatedDevice[] devices, long startTimestamp)
    {
        _options = options;
        _devices = devices;
        _logic = new AgentLogic(options, _counters, startTimestamp);
    }

    public IReadOnlyList<SimulatedDevice> Devices => _devices;

    public SimulatorStatistics Statistics => _counters.Snapshot();

    /// <summary>
    /// Lays out the fleet (no socket yet). The v3 user's passwords are expanded once (RFC 3414 A.2) and the
    /// keys localized to each device's engine.
    /// </summary>
    /// <exception cref="SimulatorException">No recordings, or the addresses do not fit.</exception>
    public static FleetSimulator Create(IReadOnlyList<Recording> recordings, SimulatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recordings);
        options ??= new SimulatorOptions();
        if (recordings.Count == 0)
        {
            throw new SimulatorException("No recordings to serve.");
        }

        int count = options.Count ?? recordings.Count;
        if (DeviceAddresses.Validate(options.FirstAddress, count) is { } problem)
        {
            throw new SimulatorException(problem);
        }

        if (options.Port is < 1 or > 65535)
        {
            throw new SimulatorException($"Port {options.Port} is not 1..65535.");
        }

        if (options.AdvancePagesPerMinute is { } rate && (rate < 0 || double.IsNaN(rate) || double.IsInfinity(rate)))
        {
            throw new SimulatorException("The pages per minute must be a non-negative number.");
        }

        if (options.MaxRequestSize < 484)
        {
            throw new SimulatorException("The largest request must be at least 484 octets (RFC 3417 3.2).");
        }

        if (options.SupplyDrain?.Validate() is { } drainProblem)
        {
            throw new SimulatorException($"Supply drain: {drainProblem}.");
        }

        AdvancingCounters? advancing = options.AdvancePagesPerMinute is null && options.SupplyDrain is null ? null : options.AdvancingCounters;
        ServedRecording[] served = [.. recordings.Select(r => new ServedRecording(r, advancing, options.SupplyDrain is not null))];
        // The weekday rhythm needs a calendar: the given clock's date at the start.
        DateTimeOffset start = options.TimeProvider.GetUtcNow();

        SimulatorUser? user = options.V3User;
        byte[]? authMaster = user is { Auth: not AuthProtocol.None } ? UsmKeys.PasswordToKey(user.Auth, Encoding.UTF8.GetBytes(user.AuthPassword!)) : null;
        byte[]? privMaster = user is { Priv: not PrivProtocol.None } ? UsmKeys.PasswordToKey(user.Auth, Encoding.UTF8.GetBytes(user.PrivPassword!)) : null;
        var privacy = new UsmPrivacy((ulong)Random.Shared.NextInt64());

        var devices = new SimulatedDevice[count];
        for (int i = 0; i < count; i++)
        {
            var endPoint = new IPEndPoint(DeviceAddresses.At(options.FirstAddress, i), options.Port);
            byte[] engineId = SimulatedDevice.EngineIdFor(endPoint);
            UsmLocalUser? localUser = user is null ? null : UsmLocalUser.Create(user.Name, user.Auth, authMaster, user.Priv, privMaster, engineId);
            var engine = new UsmAuthoritativeEngine(engineId, options.EngineBoots, 0, localUser, privacy, options.TimeProvider);
            ServedRecording recording = served[i % served.Length];
            DrainingDevice? drain = options.SupplyDrain is { } drainOptions ? new DrainingDevice(drainOptions, i, start, recording.Supplies) : null;
            devices[i] = new SimulatedDevice(i, endPoint, recording, engine, drain);
        }

        return new FleetSimulator(options, devices, options.TimeProvider.GetTimestamp());
    }

    /// <summary>Binds every device's socket and starts answering. Returns when all are bound.</summary>
    /// <exception cref="SimulatorException">An address could not be bound (nothing is left bound then).</exception>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The simulator was already started.");
        }

        ulong? limit = ProcessLimits.EnsureOpenFiles((ulong)_devices.Length + 256);
        var sockets = new Socket[_devices.Length];
        int bound = 0;
        try
        {
            for (; bound < _devices.Length; bound++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    socket.Bind(_devices[bound].EndPoint);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                sockets[bound] = socket;
            }
        }
        catch (SocketException e)
        {
            for (int i = 0; i < bound; i++)
            {
                sockets[i].Dispose();
            }

            Volatile.Write(ref _state, 2);
            string hint = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => " (another agent or simulator there?)",
                SocketError.AccessDenied => " (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
                SocketError.TooManyOpenSockets => $" (open-file limit {limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}; raise `ulimit -n` or serve fewer devices)",
                SocketError.AddressNotAvailable => " (not an address of this machine)",
                _ => string.Empty,
            };
            throw new SimulatorException($"Cannot bind {_devices[bound].EndPoint}: {e.SocketErrorCode}{hint}.", e);
        }

        _sockets = sockets;
        var loops = new Task[_devices.Length];
        for (int i = 0; i < _devices.Length; i++)
        {
            loops[i] = ReceiveLoopAsync(_devices[i], sockets[i], _stop.Token);
        }

        _loops = loops;
    }

    /// <summary>Stops every device and waits for its loop to end.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Socket socket in _sockets!)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_loops!).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>What <paramref name="device"/> answers to <paramref name="datagram"/> (null: nothing), without sockets.</summary>
    internal byte[]? Respond(SimulatedDevice device, ReadOnlySpan<byte> datagram) => _logic.Respond(device, datagram);

    private async Task ReceiveLoopAsync(SimulatedDevice device, Socket socket, CancellationToken stop)
    {
        // One byte more than the limit, so a longer datagram shows as a full buffer instead of a silent cut.
        byte[] buffer = GC.AllocateUninitializedArray<byte>(_options.MaxRequestSize + 1, pinned: true);
        var from = new SocketAddress(AddressFamily.InterNetwork);
        while (!stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error for an earlier answer, a truncated datagram (some platforms): not fatal.
                _counters.Malformed();
                continue;
            }

            _counters.Received();
            if (length > _options.MaxRequestSize)
            {
                _counters.Oversized();
                continue;
            }

            byte[]? answer;
            try
            {
                answer = _logic.Respond(device, buffer.AsSpan(0, length));
            }
#pragma warning disable CA1031 // a device must outlive any bug a datagram can trigger
            catch (Exception)
#pragma warning restore CA1031
            {
                _counters.InternalError();
                continue;
            }

            if (answer is null)
            {
                continue;
            }

            try
            {
                await socket.SendToAsync(answer, SocketFlags.None, from, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                _counters.SendError();
            }
        }
    }
}
