using System.Net;
using System.Net.Sockets;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Transport;

/// <summary>The socket, the receive loop, the in-flight table and the timeout sweep.</summary>
public sealed partial class SnmpClient
{
    private const int ReceiveBufferLength = 65536;

    private readonly Socket _socket;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PendingRequest> _inFlight = [];
    private readonly PriorityQueue<PendingRequest, long> _deadlines = new();
    private readonly SemaphoreSlim _slots;
    private readonly ITimer _sweepTimer;
    private readonly Task _receiveLoop;
    private readonly CancellationTokenSource _shutdown = new();
    private int _nextId;
    private int _sweeping;
    private bool _disposed;

    // What the receive loop tells the sweep (see MayExpire): 1 from the moment a datagram is known to be queued
    // until it is dispatched, and a time before which every datagram that arrived has been dispatched.
    private int _takingDatagram;
    private long _caughtUpAt = long.MinValue;

    private long _datagramsSent, _retransmissions, _matched, _timeouts, _unknownId, _wrongSource, _malformed, _security, _sendErrors;

    private static Socket CreateSocket(SnmpClientOptions options)
    {
        Socket socket;
        if (options.LocalEndPoint is { } local)
        {
            socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (local.AddressFamily == AddressFamily.InterNetworkV6 && local.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(local);
        }
        else if (Socket.OSSupportsIPv6 && TryCreateDualMode(out Socket? dual))
        {
            socket = dual;
        }
        else
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        }

        // Best effort: the kernel caps both at net.core.[rw]mem_max; a smaller buffer still works.
        socket.SendBufferSize = options.SendBufferSize;
        socket.ReceiveBufferSize = options.ReceiveBufferSize;
        return socket;
    }

    private static bool TryCreateDualMode(out Socket socket)
    {
        socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.DualMode = true;
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
            return true;
        }
        catch (SocketException)
        {
            // IPv6 disabled in this network namespace or kernel: fall back to IPv4 only.
            socket.Dispose();
            return false;
        }
    }

    /// <summary>The local address the socket is bound to.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public SnmpClientStatistics Statistics => new(
        Interlocked.Read(ref _datagramsSent), Interlocked.Read(ref _retransmissions), Interlocked.Read(ref _matched),
        Interlocked.Read(ref _timeouts), Interlocked.Read(ref _unknownId), Interlocked.Read(ref _wrongSource),
        Interlocked.Read(ref _malformed), Interlocked.Read(ref _security), Interlocked.Read(ref _sendErrors));

    /// <summary>Number of requests waiting for an answer now.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>
    /// Sends one request and waits for the matching answer, retransmitting on timeout.
    /// <paramref name="build"/> makes the datagram for the request-id (msgID in v3) assigned here.
    /// </summary>
    private async Task<IncomingMessage> ExchangeAsync(IPEndPoint target, SnmpVersion version, V3Expectation? v3, Func<int, byte[]> build,
        TimeSpan timeout, int retries, RoundTripEstimator? roundTrip, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (target.AddressFamily == AddressFamily.InterNetworkV6 && _socket.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new SnmpException($"Cannot reach {target}: this client's socket is IPv4 only.");
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pending = new PendingRequest(target, new SocketAddressKey(target, _socket.AddressFamily), version, v3, timeout, retries, _time.GetTimestamp(), roundTrip);
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                pending.Id = AllocateId();
                _inFlight.Add(pending.Id, pending);
            }

            try
            {
                pending.Datagram = build(pending.Id);
            }
            catch
            {
                Forget(pending);
                throw;
            }

            lock (_gate)
            {
                pending.FirstSent = _time.GetTimestamp();
                pending.Deadline = pending.FirstSent + ToTimestampTicks(pending.AttemptTimeout);
                _deadlines.Enqueue(pending, pending.Deadline);
                if (_deadlines.Count == 1 && !_disposed)
                {
                    // The first deadline to watch: the sweep starts (it stops itself once nothing is left, see Sweep).
                    _sweepTimer.Change(_options.SweepInterval, _options.SweepInterval);
                }
            }

            using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (client, request) = ((SnmpClient, PendingRequest))state!;
                if (client.Forget(request))
                {
                    request.Completion.TrySetCanceled(token);
                }
            }, (this, pending));

            await SendDatagramAsync(pending).ConfigureAwait(false);
            return await pending.Completion.Task.ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Request ids rise from a random start and skip 0 and ids in use (RFC 3416 4.1, RFC 3412 6.2).</summary>
    private int AllocateId()
    {
        while (true)
        {
            int id = ++_nextId & int.MaxValue;
            if (id != 0 && !_inFlight.ContainsKey(id))
            {
                return id;
            }
        }
    }

    private bool Forget(PendingRequest pending)
    {
        lock (_gate)
        {
            if (_inFlight.TryGetValue(pending.Id, out PendingRequest? current) && ReferenceEquals(current, pending))
            {
                _inFlight.Remove(pending.Id);

                // Not left for the sweep to find at its deadline: until then it would keep the datagram and the answer alive
                // (a fast scan of 1,000 printers held 14 MB that way). O(requests in flight).
                _deadlines.Remove(pending, out _, out _);
                return true;
            }

            return false;
        }
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>
    /// Sends synchronously: a UDP send only queues the datagram (it blocks only while the send buffer is
    /// full), and keeping every operation synchronous keeps the socket in blocking mode for the receive thread.
    /// </summary>
    private Task SendDatagramAsync(PendingRequest pending)
    {
        try
        {
            _socket.SendTo(pending.Datagram, SocketFlags.None, pending.TargetAddress.Address);
            Interlocked.Increment(ref _datagramsSent);
        }
        catch (SocketException e) when (IsLostDatagram(e.SocketErrorCode))
        {
            // This datagram to this address is lost, nothing more: the sweep retransmits by the retry rules, then
            // times the request out (the device is silent to us). Not a failure of the request or the client.
            Interlocked.Increment(ref _sendErrors);
        }
        catch (SocketException e) when (!_shutdown.IsCancellationRequested)
        {
            Interlocked.Increment(ref _sendErrors);
            if (Forget(pending))
            {
                pending.Completion.TrySetException(new SnmpException($"Cannot send to {pending.Target}: {e.SocketErrorCode}.", e));
            }
        }
        catch (SocketException)
        {
            // Disposal fails every pending request itself.
        }
        catch (ObjectDisposedException)
        {
            // Likewise.
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Send errors that lose one datagram to one address, which a silent network would have lost too: the queue
    /// behind an unresolved neighbour is full (ENOBUFS, EAGAIN); no route or an unreachable/prohibit route to it
    /// (ENETUNREACH, EHOSTUNREACH, EHOSTDOWN); a firewall rule or a broadcast address refuses it (EACCES, EPERM:
    /// both AccessDenied); an ICMP error about an earlier datagram reported on this send (ECONNREFUSED).
    /// </summary>
    internal static bool IsLostDatagram(SocketError error) => error is SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock
        or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.ConnectionRefused
        or SocketError.AccessDenied;

    /// <summary>
    /// The receive loop, on a thread of its own (one per socket, whatever the number of requests): a
    /// blocking receive wakes this thread directly when a datagram arrives, one thread hop less per answer
    /// than an asynchronous receive completed through the socket engine and the thread pool.
    /// </summary>
    private void ReceiveLoop()
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferLength, pinned: true);
        SocketAddress from = new(_socket.AddressFamily);
        while (!_shutdown.IsCancellationRequested)
        {
            int length;
            try
            {
                WaitForDatagram();

                // Said before the datagram leaves the kernel's queue, so that the sweep, which looks at the queue
                // first and at this second, always sees an answer that arrived either queued or being taken.
                Volatile.Write(ref _takingDatagram, 1);
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                Volatile.Write(ref _takingDatagram, 0);
                if (_shutdown.IsCancellationRequested)
                {
                    return;
                }

                // E.g. an ICMP error queued on the socket: it concerns no request in particular.
                Interlocked.Increment(ref _malformed);
                continue;
            }

            try
            {
                Dispatch(buffer.AsSpan(0, length), from);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Isolation boundary: whatever one datagram does must not stop the loop every request depends on.
                Interlocked.Increment(ref _malformed);
            }
            finally
            {
                Volatile.Write(ref _takingDatagram, 0);
            }
        }
    }

    /// <summary>
    /// Returns once a datagram is queued (or the socket closes), without taking it. When the queue is empty, every
    /// datagram that arrived before this call has been dispatched: that instant is published for the sweep.
    /// </summary>
    private void WaitForDatagram()
    {
        long now = _time.GetTimestamp();
        if (_socket.Available > 0)
        {
            return;
        }

        Volatile.Write(ref _caughtUpAt, now);
        _socket.Poll(-1, SelectMode.SelectRead); // disposal wakes it (the socket is shut down), and the loop then ends
    }

    /// <summary>
    /// Whether a request whose last deadline was <paramref name="deadline"/> may be timed out: only once every
    /// answer that arrived before it was read, since an answer counts by when it arrived, not by when a busy
    /// process got round to reading it. <paramref name="receiverIdle"/> is asked once per sweep (a FIONREAD).
    /// </summary>
    private bool MayExpire(long deadline, long now, ref bool? receiverIdle)
    {
        if (deadline <= Volatile.Read(ref _caughtUpAt) || now - deadline >= ToTimestampTicks(_options.ReadBacklogLimit))
        {
            return true; // read up to the deadline; or the loop cannot keep up with what arrives, and time must still end requests
        }

        receiverIdle ??= ReceiverIdle();
        return receiverIdle.Value;
    }

    /// <summary>
    /// Nothing queued and nothing being taken, in that order (see the receive loop): every datagram that arrived
    /// until now has been dispatched.
    /// </summary>
    private bool ReceiverIdle()
    {
        try
        {
            return _socket.Available == 0 && Volatile.Read(ref _takingDatagram) == 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true; // closing: nothing more will be read, time decides
        }
    }

    /// <summary>Matches one datagram to its request. Never throws: bad input is counted and dropped.</summary>
    private void Dispatch(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        int id;
        SnmpVersion version;
        Pdu? pdu = null;
        V3Message? v3Message = null;
        try
        {
            if (!MessageHeader.TryPeekVersion(datagram, out version))
            {
                Interlocked.Increment(ref _malformed);
                return;
            }

            if (version == SnmpVersion.V3)
            {
                v3Message = V3Message.Decode(datagram);
                id = v3Message.MessageId;
            }
            else
            {
                pdu = CommunityMessage.Decode(datagram).Pdu;
                id = pdu.RequestId;
            }
        }
        catch (SnmpDecodeException)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        PendingRequest? pending;
        lock (_gate)
        {
            _inFlight.TryGetValue(id, out pending);
        }

        if (pending is null)
        {
            Interlocked.Increment(ref _unknownId);
            return;
        }

        if (!pending.TargetAddress.Matches(from))
        {
            Interlocked.Increment(ref _wrongSource);
            return;
        }

        if (pending.Version != version)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        if (v3Message is not null)
        {
            if (pending.V3 is null)
            {
                // Engine discovery: only a Report can answer it (RFC 3414 4).
                if (v3Message.ScopedPdu?.Pdu.Type != PduType.Report)
                {
                    Interlocked.Increment(ref _security);
                    return;
                }

                pdu = v3Message.ScopedPdu.Pdu;
            }
            else
            {
                if (UsmMessageProcessor.Process(datagram, v3Message, pending.V3.Credentials, pending.V3.Keys, pending.V3.Engine,
                        out ScopedPdu? scoped, out _) != UsmIncomingStatus.Accepted)
                {
                    Interlocked.Increment(ref _security);
                    return;
                }

                pdu = scoped!.Pdu;
            }
        }

        if (pdu!.Type is not (PduType.Response or PduType.Report) || (version != SnmpVersion.V3 && pdu.Type != PduType.Response))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        if (Forget(pending))
        {
            Interlocked.Increment(ref _matched);
            Learn(pending);
            pending.Completion.TrySetResult(new IncomingMessage(pdu, v3Message?.Usm));
        }
    }

    /// <summary>Feeds the agent's round-trip estimate: a first attempt's answer is a measurement, a resent one's is not (Karn).</summary>
    private void Learn(PendingRequest pending)
    {
        if (pending.RoundTrip is not { } roundTrip)
        {
            return;
        }

        int attempts;
        TimeSpan waited;
        lock (_gate)
        {
            attempts = pending.Attempts;
            waited = pending.AttemptTimeout;
        }

        if (attempts == 1)
        {
            roundTrip.Measured(_time.GetElapsedTime(pending.FirstSent));
        }
        else
        {
            roundTrip.AnsweredAfterResend(waited);
        }
    }

    /// <summary>One pass over the overdue requests: retransmit or time out (earliest deadline first). Runs only while requests are in flight.</summary>
    private void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            long now = _time.GetTimestamp();
            List<PendingRequest>? resend = null;
            List<PendingRequest>? expired = null;
            List<PendingRequest>? unread = null;
            bool? receiverIdle = null;
            lock (_gate)
            {
                while (_deadlines.TryPeek(out PendingRequest? pending, out long deadline) && deadline <= now)
                {
                    _deadlines.Dequeue();
                    if (!_inFlight.TryGetValue(pending.Id, out PendingRequest? current) || !ReferenceEquals(current, pending) || pending.Deadline != deadline)
                    {
                        continue; // answered, cancelled, or re-queued with a later deadline
                    }

                    if (pending.RetriesLeft == 0 && !MayExpire(deadline, now, ref receiverIdle))
                    {
                        (unread ??= []).Add(pending); // its answer may be among those not read yet: asked again next sweep
                    }
                    else if (pending.RetriesLeft > 0)
                    {
                        pending.RetriesLeft--;
                        pending.Attempts++;
                        if (pending.RoundTrip is { } roundTrip)
                        {
                            pending.AttemptTimeout = roundTrip.NextTimeout(pending.AttemptTimeout, pending.Timeout);
                        }

                        pending.Deadline = now + ToTimestampTicks(pending.AttemptTimeout);
                        _deadlines.Enqueue(pending, pending.Deadline);
                        (resend ??= []).Add(pending);
                    }
                    else
                    {
                        _inFlight.Remove(pending.Id);
                        (expired ??= []).Add(pending);
                    }
                }

                foreach (PendingRequest pending in unread ?? [])
                {
                    _deadlines.Enqueue(pending, pending.Deadline);
                }

                if (_deadlines.Count == 0 && !_disposed)
                {
                    // Nothing in flight: no 10 ms wake-ups on an idle box until the next request arms the sweep again.
                    _sweepTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
            }

            foreach (PendingRequest pending in resend ?? [])
            {
                Interlocked.Increment(ref _retransmissions);
                _ = SendDatagramAsync(pending);
            }

            foreach (PendingRequest pending in expired ?? [])
            {
                Interlocked.Increment(ref _timeouts);
                string? hint = pending.V3?.Credentials.SecurityLevel == SecurityLevel.AuthPriv
                    ? "With SNMPv3 authPriv, silence often means a wrong privacy password or protocol."
                    : null;
                pending.Completion.TrySetException(new SnmpTimeoutException(pending.Target, pending.Id, pending.Attempts, _time.GetElapsedTime(pending.Started), hint));
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>Stops the receive loop and fails every request still in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        List<PendingRequest> abandoned;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            abandoned = [.. _inFlight.Values];
            _inFlight.Clear();
            _deadlines.Clear();
        }

        await _sweepTimer.DisposeAsync().ConfigureAwait(false);
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        foreach (PendingRequest pending in abandoned)
        {
            pending.Completion.TrySetException(new ObjectDisposedException(nameof(SnmpClient)));
        }

        await _receiveLoop.ConfigureAwait(false);
        _shutdown.Dispose();
        _slots.Dispose();
    }
}
