using System.Net;
using System.Net.Sockets;
using System.Text;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Snmp.Tests.Fuzz;

/// <summary>
/// The client's receive path under garbage: an agent on loopback answers each request only after a burst
/// of damaged copies of its answer and of other packets, and a second socket (a wrong source) sends
/// forged answers. No exception may escape the receive loop: every request must still complete, v3
/// authPriv answers must be exactly right (nothing forged passes the MAC), and once the garbage stops
/// every answer must be exactly right again.
/// </summary>
[TestFixture]
public class ClientReceivePathFuzzTests
{
    private static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.97.30");
    private static readonly IPAddress AgentAddress = IPAddress.Parse("127.0.97.31");
    private static readonly IPAddress AttackerAddress = IPAddress.Parse("127.0.97.32");
    private static readonly byte[] AgentEngineId = Convert.FromHexString("80001f8880a1b2c3d4e5f60718");
    private static readonly ObjectIdentifier[] Oids = [.. Enumerable.Range(1, 6).Select(i => ObjectIdentifier.Parse($"1.3.6.1.2.1.43.10.2.1.4.1.{i}"))];

    [Test]
    [CancelAfter(60_000)]
    public async Task Client_survives_garbage_datagrams_and_still_completes_real_requests()
    {
        var user = new UsmCredentials("fuzzuser", AuthProtocol.Sha256, "authpass-1234", PrivProtocol.Aes128, "privpass-5678");
        using var agent = new FuzzingAgent(AgentAddress, AttackerAddress, user, seed: 4711);
        await using var client = new SnmpClient(new SnmpClientOptions
        {
            LocalEndPoint = new IPEndPoint(ClientAddress, 0),
            // Long: "no request lost" is told by the timeout count, and a busy machine may take seconds to get
            // through a burst of garbage; a lost request still times out.
            Timeout = TimeSpan.FromSeconds(10),
            Retries = 2,
        });
        var v2c = new SnmpTarget(agent.EndPoint, new CommunityCredentials(SnmpVersion.V2c, "public"));
        var v3 = new SnmpTarget(agent.EndPoint, user);

        // 1. Unsolicited garbage while nothing is in flight.
        agent.Blast(client.LocalEndPoint, 3000);

        // 2. Requests answered behind bursts of garbage, 8 at a time.
        agent.GarbagePerAnswer = 24;
        int exactV2c = 0, forged = 0, typedErrors = 0;
        for (int round = 0; round < 20; round++)
        {
            Task<IReadOnlyList<Varbind>>[] batch = [.. Enumerable.Range(0, 8).Select(_ => client.GetAsync(v2c, Oids).AsTask())];
            foreach (Task<IReadOnlyList<Varbind>> request in batch)
            {
                try
                {
                    IReadOnlyList<Varbind> answer = await request;
                    // v2c has no authentication: a damaged copy that still decodes, from the agent's
                    // address with the right request-id, is indistinguishable from the answer.
                    exactV2c += IsExact(answer) ? 1 : 0;
                    forged += IsExact(answer) ? 0 : 1;
                }
                catch (SnmpException)
                {
                    typedErrors++; // a forged answer with the right request-id but another varbind count or an error-status
                }
            }
        }

        for (int round = 0; round < 8; round++)
        {
            IReadOnlyList<Varbind>[] answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetAsync(v3, Oids).AsTask()));
            Assert.That(answers.All(IsExact), Is.True, "an SNMPv3 authPriv answer was not exactly the agent's: a forged datagram got through");
        }

        // 3. Garbage stops: everything is exact again, so the receive loop is alive and unharmed.
        agent.GarbagePerAnswer = 0;
        for (int i = 0; i < 10; i++)
        {
            Assert.That(IsExact(await client.GetAsync(v2c, Oids)), Is.True);
            Assert.That(IsExact(await client.GetAsync(v3, Oids)), Is.True);
        }

        SnmpClientStatistics stats = client.Statistics;
        TestContext.Out.WriteLine($"garbage sent {agent.GarbageSent}; v2c exact {exactV2c}/160, damaged but valid {forged}, typed errors {typedErrors}; {stats}");
        Assert.Multiple(() =>
        {
            Assert.That(agent.GarbageSent, Is.GreaterThan(5000));
            Assert.That(stats.DroppedMalformed, Is.GreaterThan(1000), "most garbage is malformed");
            Assert.That(stats.DroppedWrongSource, Is.GreaterThan(0), "forged answers from another address are dropped");
            Assert.That(stats.DroppedSecurity, Is.GreaterThan(0), "damaged v3 answers fail the MAC");
            Assert.That(exactV2c + forged + typedErrors, Is.EqualTo(160), "every v2c request ended with an answer or a typed error");
            Assert.That(stats.Timeouts, Is.Zero, "no request was lost behind the garbage");
        });
    }

    private static bool IsExact(IReadOnlyList<Varbind> answer) =>
        answer.Count == Oids.Length && answer.Select((v, i) => v.Oid == Oids[i] && v.Value == FuzzingAgent.ValueOf(Oids[i])).All(ok => ok);

    /// <summary>A minimal v2c and v3 (one user) agent that precedes every answer with garbage.</summary>
    private sealed class FuzzingAgent : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Socket _attacker = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly UsmCredentials _user;
        private readonly UsmLocalizedKeys _keys;
        private readonly RemoteEngine _engine;
        private readonly UsmMessageProcessor _usm = new(new UsmPrivacy(99));
        private readonly BerMutator _mutator;
        private readonly Random _random;
        private readonly Lock _gate = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _garbageSent;

        public FuzzingAgent(IPAddress address, IPAddress attacker, UsmCredentials user, int seed)
        {
            _random = new Random(seed);
            _mutator = new BerMutator(_random);
            _user = user;
            _keys = new UsmLocalizedKeys(UsmKeys.LocalizedAuthKey(user.Auth, user.AuthPassword!, AgentEngineId),
                UsmKeys.LocalizedPrivKey(user.Auth, user.Priv, user.PrivPassword!, AgentEngineId));
            _engine = new RemoteEngine(AgentEngineId, 5, 1000, TimeProvider.System);
            _socket.ReceiveBufferSize = 4 << 20;
            _socket.SendBufferSize = 4 << 20;
            _socket.Bind(new IPEndPoint(address, 0));
            _attacker.Bind(new IPEndPoint(attacker, 0));
            EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
            _loop = Task.Run(ServeAsync);
        }

        public IPEndPoint EndPoint { get; }

        public int GarbagePerAnswer { get; set; }

        public long GarbageSent => Interlocked.Read(ref _garbageSent);

        public static SnmpValue ValueOf(ObjectIdentifier oid) => SnmpValue.Counter32(oid[^1] * 1000);

        public void Blast(IPEndPoint client, int count)
        {
            for (int i = 0; i < count; i++)
            {
                byte[] garbage;
                lock (_gate)
                {
                    FuzzSeed seed = FuzzSeeds.All[_random.Next(FuzzSeeds.All.Count)];
                    garbage = _random.Next(10) == 0 ? _mutator.RandomBytes() : _mutator.Mutate(seed.Bytes, FuzzSeeds.All);
                }

                Send(i % 4 == 0 ? _attacker : _socket, garbage, client);
            }
        }

        private void Send(Socket socket, byte[] datagram, IPEndPoint to)
        {
            try
            {
                socket.SendTo(datagram, to);
                Interlocked.Increment(ref _garbageSent);
            }
            catch (SocketException)
            {
                // e.g. a mutated datagram above the UDP limit
            }
        }

        private async Task ServeAsync()
        {
            byte[] buffer = new byte[65536];
            EndPoint any = new IPEndPoint(IPAddress.Any, 0);
            while (!_stop.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }

                    continue;
                }

                var from = (IPEndPoint)received.RemoteEndPoint;
                byte[]? answer = Answer(buffer.AsSpan(0, received.ReceivedBytes));
                if (answer is null)
                {
                    continue;
                }

                for (int i = 0; i < GarbagePerAnswer; i++)
                {
                    byte[] garbage;
                    lock (_gate)
                    {
                        garbage = _random.Next(4) == 0
                            ? _mutator.Mutate(FuzzSeeds.All[_random.Next(FuzzSeeds.All.Count)].Bytes, FuzzSeeds.All)
                            : _mutator.Mutate(answer, FuzzSeeds.All);
                    }

                    Send(i % 8 == 0 ? _attacker : _socket, i % 8 == 0 ? answer : garbage, from);
                }

                try
                {
                    _socket.SendTo(answer, from);
                }
                catch (SocketException)
                {
                }
            }
        }

        private byte[]? Answer(ReadOnlySpan<byte> request)
        {
            try
            {
                if (!MessageHeader.TryPeekVersion(request, out SnmpVersion version))
                {
                    return null;
                }

                if (version != SnmpVersion.V3)
                {
                    CommunityMessage message = CommunityMessage.Decode(request);
                    return new CommunityMessage(version, message.Community, Respond(message.Pdu)).Encode();
                }

                V3Message v3 = V3Message.Decode(request);
                if (v3.Usm.EngineId.IsEmpty)
                {
                    // Engine discovery (RFC 3414 4): a Report carrying our engine ID, boots and time.
                    (uint boots, uint time) = _engine.Now();
                    var report = new ScopedPdu(AgentEngineId, Array.Empty<byte>(),
                        Pdu.Report(v3.ScopedPdu?.Pdu.RequestId ?? 0, [new Varbind("1.3.6.1.6.3.15.1.1.4.0", SnmpValue.Counter32(1))]));
                    var usm = new UsmSecurityParameters(AgentEngineId, boots, time, Array.Empty<byte>(), Array.Empty<byte>(), Array.Empty<byte>());
                    return V3Message.Encode(v3.MessageId, 65507, V3MessageFlags.None, usm, report.Encode(), encrypted: false, out _);
                }

                if (UsmMessageProcessor.Process(request, v3, _user, _keys, _engine, out ScopedPdu? scoped, out _) != UsmIncomingStatus.Accepted)
                {
                    return null;
                }

                return _usm.EncodeRequest(v3.MessageId, 65507, _user, _keys, _engine, Respond(scoped!.Pdu));
            }
            catch (SnmpDecodeException)
            {
                return null;
            }
        }

        private static Pdu Respond(Pdu request) =>
            Pdu.Response(request.RequestId, SnmpErrorStatus.NoError, 0, [.. request.Varbinds.Select(v => new Varbind(v.Oid, ValueOf(v.Oid)))]);

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
            _attacker.Dispose();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }

            _stop.Dispose();
        }
    }
}
