using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OneStopPi.Snmp.Ber;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;
using OneStopPi.Snmp.Text;

namespace OneStopPi.Snmp.Tests.Fuzz;

/// <summary>One broken property: which entry point, what went wrong, and the input that did it.</summary>
internal sealed record FuzzFailure(string Target, string Problem, string InputHex)
{
    public override string ToString() => $"{Target}: {Problem}\n  input: {(InputHex.Length > 400 ? InputHex[..400] + "..." : InputHex)}";
}

/// <summary>What a run did and found.</summary>
internal sealed class FuzzReport
{
    public long Inputs { get; set; }

    public long Calls { get; set; }

    public long Rejected { get; set; }

    public long Accepted { get; set; }

    public TimeSpan Elapsed { get; set; }

    public double SlowestCallMs { get; set; }

    public string SlowestTarget { get; set; } = "";

    public int SlowestInputLength { get; set; }

    public long MostAllocated { get; set; }

    public string MostAllocatedTarget { get; set; } = "";

    public int MostAllocatedInputLength { get; set; }

    public Dictionary<string, long> AcceptedByTarget { get; } = [];

    /// <summary>Time spent per entry point, to keep the run balanced.</summary>
    public Dictionary<string, double> MillisecondsByTarget { get; } = [];

    public List<FuzzFailure> Failures { get; } = [];

    /// <summary>Failures grouped by target and exception type (the first input of each kept).</summary>
    public Dictionary<string, (long Count, FuzzFailure First)> Distinct { get; } = [];

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Inputs} inputs, {Calls} decoder calls ({Accepted} accepted, {Rejected} rejected with SnmpDecodeException) in {Elapsed.TotalSeconds:F1} s; " +
        $"slowest call {SlowestCallMs:F2} ms ({SlowestTarget}, {SlowestInputLength} B); most allocated {MostAllocated} B ({MostAllocatedTarget}, {MostAllocatedInputLength} B input); " +
        $"{Failures.Count} failures ({Distinct.Count} distinct)");
}

/// <summary>
/// Mutation fuzzer for every decoding entry point of OneStopPi.Snmp. Deterministic for a given seed.
/// Properties, per call: only <see cref="SnmpDecodeException"/> leaves a decoder (nothing at all leaves the
/// Try* methods, the USM processor or the text formats); the call returns within <see cref="SlowCallLimit"/>
/// (confirmed by timing it twice more, so a pause of a busy machine is not taken for a hang);
/// it allocates at most <see cref="AllocationLimit"/> for its input's size; and whatever is accepted can be
/// printed (net-snmp and snmprec text) and re-encoded to the same thing.
/// </summary>
internal sealed class SnmpFuzzer
{
    /// <summary>Allocation a call may make regardless of input size (exception objects, stack traces, messages).</summary>
    public const long AllocationBase = 16 * 1024;

    /// <summary>Allocation per input octet (copies of strings, OID arcs, the varbind list; v3 adds a copy for the MAC and the decrypted plaintext).</summary>
    public const long AllocationPerByte = 48;

    public static long AllocationLimit(int inputLength) => AllocationBase + AllocationPerByte * inputLength;

    private static readonly TimeProvider Clock = TimeProvider.System;

    private readonly Random _random;
    private readonly BerMutator _mutator;
    private readonly IReadOnlyList<FuzzSeed> _seeds;
    private readonly UsmPrivacy _privacy = new(0x1122334455667788);
    private readonly FuzzReport _report = new();
    private byte[] _current = [];
    private string _currentTarget = "";
    private long _progress;
    private long _excludedAllocation;

    public SnmpFuzzer(int seed)
    {
        _random = new Random(seed);
        _mutator = new BerMutator(_random);
        _seeds = FuzzSeeds.All;
    }

    /// <summary>The limit above which one call counts as a hang.</summary>
    public TimeSpan SlowCallLimit { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many failures are kept with their inputs (every one is counted in <see cref="FuzzReport.Distinct"/>).</summary>
    public int MaxFailuresKept { get; init; } = 50;

    /// <summary>Inputs done so far (read from another thread by a watchdog).</summary>
    public long Progress => Interlocked.Read(ref _progress);

    /// <summary>The input being decoded now, for a watchdog that finds the run stuck.</summary>
    public string CurrentInputHex => Convert.ToHexStringLower(Volatile.Read(ref _current));

    public string CurrentTarget => Volatile.Read(ref _currentTarget);

    public FuzzReport Report => _report;

    /// <summary>Runs <paramref name="count"/> inputs or until <paramref name="timeLimit"/>, whichever comes first.</summary>
    public FuzzReport Run(long count, TimeSpan timeLimit)
    {
        var watch = Stopwatch.StartNew();

        // Warm up: every seed through every target once, so first-call JIT work is not counted as a slow call.
        foreach (FuzzSeed seed in _seeds)
        {
            RunTargets(seed.Bytes, seed.Kind, measure: false);
        }

        foreach (string line in FuzzSeeds.SnmprecLines)
        {
            CheckSnmprec(line, measure: false);
        }

        for (long i = 0; i < count; i++)
        {
            if ((i & 255) == 0 && watch.Elapsed > timeLimit)
            {
                break;
            }

            if (_random.Next(5) == 0)
            {
                CheckSnmprec(MutateSnmprec(), measure: true);
            }

            FuzzSeed seed = _seeds[_random.Next(_seeds.Count)];
            byte[] input = _random.Next(100) < 8 ? _mutator.RandomBytes() : _mutator.Mutate(seed.Bytes, _seeds);
            RunTargets(input, seed.Kind, measure: true);
            _report.Inputs++;
            Interlocked.Increment(ref _progress);
        }

        _report.Elapsed = watch.Elapsed;
        return _report;
    }

    /// <summary>Runs every entry point on one input (also used for the regression cases).</summary>
    public void RunTargets(byte[] input, FuzzSeedKind kind, bool measure)
    {
        Volatile.Write(ref _current, input);
        ReadOnlyMemory<byte> memory = input;

        Call("MessageHeader.TryPeekVersion", input, measure, mayReject: false, () => MessageHeader.TryPeekVersion(memory.Span, out _));

        CommunityMessage? community = null;
        Call("CommunityMessage.Decode", input, measure, mayReject: true, () => community = CommunityMessage.Decode(memory.Span));
        if (community is not null)
        {
            Call("CommunityMessage round trip", input, measure, mayReject: false, () => Unmeasured(() => CheckCommunityRoundTrip(community)));
        }

        V3Message? v3 = null;
        Call("V3Message.Decode", input, measure, mayReject: true, () => v3 = V3Message.Decode(memory.Span));
        if (v3 is not null)
        {
            if (v3.ScopedPdu is { } plain)
            {
                Call("ScopedPdu round trip", input, measure, mayReject: false, () => Unmeasured(() => CheckScopedRoundTrip(plain)));
            }

            Call("UsmMessageProcessor.Process", input, measure, mayReject: false, () => ProcessWithKnownUsers(input, v3, resign: false));
            if ((v3.Flags & V3MessageFlags.Authenticated) != 0 && (_random.Next(2) == 0 || !measure))
            {
                Call("UsmMessageProcessor.Process re-signed", input, measure, mayReject: false, () => ProcessWithKnownUsers(input, v3, resign: true));
            }
        }

        ScopedPdu? scoped = null;
        Call("ScopedPdu.Decode", input, measure, mayReject: true, () => scoped = ScopedPdu.Decode(memory.Span));
        if (scoped is not null)
        {
            Call("ScopedPdu round trip", input, measure, mayReject: false, () => Unmeasured(() => CheckScopedRoundTrip(scoped)));
        }

        if (kind == FuzzSeedKind.ScopedPdu && input.Length > 0 && (_random.Next(4) == 0 || !measure))
        {
            Call("UsmMessageProcessor.Process encrypted", input, measure, mayReject: false, () => ProcessEncrypted(input));
        }

        // The value decoders, on a short slice (they see one TLV's contents in real use).
        if (_random.Next(3) == 0 || !measure)
        {
            int start = input.Length == 0 ? 0 : _random.Next(input.Length);
            byte[] slice = input.AsSpan(start, Math.Min(input.Length - start, 1 + _random.Next(48))).ToArray();
            byte identifier = slice.Length > 0 ? slice[0] : (byte)0;
            byte[] contents = slice.Length > 0 ? slice[1..] : [];
            Call("SnmpDecoder.TryReadTlv", slice, measure, mayReject: false, () => SnmpDecoder.TryReadTlv(slice, out _, out _, out _, out _));
            Call("SnmpDecoder.ReadValue", slice, measure, mayReject: true, () => CheckValue(SnmpDecoder.ReadValue(identifier, contents)));
            Call("SnmpDecoder.ReadOidContents", slice, measure, mayReject: true, () => CheckValue(SnmpValue.ObjectId(SnmpDecoder.ReadOidContents(slice))));
            Call("SnmpDecoder.ReadSignedContents", slice, measure, mayReject: true, () => SnmpDecoder.ReadSignedContents(slice));
            Call("SnmpDecoder.ReadUnsignedContents", slice, measure, mayReject: true, () => SnmpDecoder.ReadUnsignedContents(slice, _random.Next(2) == 0 ? 32 : 64));
        }
    }

    private void Call(string target, byte[] input, bool measure, bool mayReject, Action action)
    {
        Volatile.Write(ref _currentTarget, target);
        _excludedAllocation = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long started = Stopwatch.GetTimestamp();
        string? problem = null;
        try
        {
            action();
            _report.Accepted++;
            _report.AcceptedByTarget[target] = _report.AcceptedByTarget.GetValueOrDefault(target) + 1;
        }
        catch (SnmpDecodeException) when (mayReject)
        {
            _report.Rejected++;
        }
        catch (Exception e)
        {
            problem = $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}";
        }

        double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore - _excludedAllocation;
        _report.Calls++;
        _report.MillisecondsByTarget[target] = _report.MillisecondsByTarget.GetValueOrDefault(target) + ms;
        if (!measure)
        {
            if (problem is not null)
            {
                Fail(target, problem, input);
            }

            return;
        }

        if (ms > _report.SlowestCallMs)
        {
            _report.SlowestCallMs = ms;
            _report.SlowestTarget = target;
            _report.SlowestInputLength = input.Length;
        }

        if (allocated > _report.MostAllocated)
        {
            _report.MostAllocated = allocated;
            _report.MostAllocatedTarget = target;
            _report.MostAllocatedInputLength = input.Length;
        }

        if (problem is not null)
        {
            Fail(target, problem, input);
        }
        else if (ms > SlowCallLimit.TotalMilliseconds && IsSlowAgain(action))
        {
            Fail(target, $"slow: {ms:F0} ms", input);
        }
        else if (allocated > AllocationLimit(input.Length))
        {
            Fail(target, $"allocated {allocated} B for a {input.Length} B input (limit {AllocationLimit(input.Length)})", input);
        }
    }

    /// <summary>
    /// A slow call is timed twice more before it counts: a decoder that loops or blows up does it every
    /// time, a pause of a busy machine (GC, another process on the core) does not.
    /// </summary>
    private bool IsSlowAgain(Action action)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                action();
            }
            catch (Exception)
            {
                // Already judged on the first call.
            }

            if (Stopwatch.GetElapsedTime(started) <= SlowCallLimit)
            {
                return false;
            }
        }

        return true;
    }

    private void Fail(string target, string problem, byte[] input)
    {
        var failure = new FuzzFailure(target, problem, Convert.ToHexStringLower(input));
        string key = target + " / " + problem.Split('\n')[0].Split(':')[0];
        _report.Distinct[key] = _report.Distinct.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.First) : (1, failure);
        if (_report.Failures.Count < MaxFailuresKept)
        {
            _report.Failures.Add(failure);
        }
    }

    /// <summary>
    /// Runs the harness's own checks (printing, re-encoding) inside a call without counting their
    /// allocation against the decoder's bound.
    /// </summary>
    private void Unmeasured(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            action();
        }
        finally
        {
            _excludedAllocation += GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    private void CheckValue(SnmpValue value) => Unmeasured(() =>
    {
        _ = NetSnmpFormat.FormatValue(value);
        _ = SnmprecFormat.FormatRecord(new Varbind("1.3.6.1", value));
    });

    /// <summary>Accepted input is printable and re-encodes to a message that decodes to the same thing.</summary>
    private static void CheckCommunityRoundTrip(CommunityMessage message)
    {
        CheckPdu(message.Pdu);
        CommunityMessage again = CommunityMessage.Decode(new CommunityMessage(message.Version, message.Community, message.Pdu).Encode());
        if (again.Version != message.Version || !again.Community.Span.SequenceEqual(message.Community.Span))
        {
            throw new InvalidDataException("version or community changed in a round trip");
        }

        ComparePdus(message.Pdu, again.Pdu);
    }

    private static void CheckScopedRoundTrip(ScopedPdu scoped)
    {
        CheckPdu(scoped.Pdu);
        ScopedPdu again = ScopedPdu.Decode(scoped.Encode());
        if (!again.ContextEngineId.Span.SequenceEqual(scoped.ContextEngineId.Span) || !again.ContextName.Span.SequenceEqual(scoped.ContextName.Span))
        {
            throw new InvalidDataException("context changed in a round trip");
        }

        ComparePdus(scoped.Pdu, again.Pdu);
    }

    private static void CheckPdu(Pdu pdu)
    {
        _ = pdu.ErrorStatus;
        _ = pdu.ErrorIndex;
        _ = pdu.NonRepeaters;
        _ = pdu.MaxRepetitions;
        foreach (Varbind varbind in pdu.Varbinds)
        {
            _ = NetSnmpFormat.FormatVarbind(varbind);
            string record = SnmprecFormat.FormatRecord(varbind);

            // Kept difference (docs/fuzzing.md): an INTEGER beyond 32 bits from the wire is kept and written,
            // but snmprec readers (ours and snmpsim) only take Integer32 (and 2^32-1 as devices send it).
            bool readable = varbind.Value.Type != SnmpValueType.Integer32
                || (varbind.Value.TryGetInt64(out long n) && n is >= int.MinValue and <= uint.MaxValue);
            if (readable && (!SnmprecFormat.TryParseRecord(record, out Varbind parsed, out string? error) || parsed != varbind))
            {
                throw new InvalidDataException($"snmprec round trip of {varbind} gave '{record}' ({error ?? "different value"})");
            }
        }
    }

    private static void ComparePdus(Pdu a, Pdu b)
    {
        if (a.Type != b.Type || a.RequestId != b.RequestId || a.ErrorStatusField != b.ErrorStatusField || a.ErrorIndexField != b.ErrorIndexField
            || !a.Varbinds.SequenceEqual(b.Varbinds))
        {
            throw new InvalidDataException($"PDU changed in a round trip: {a} vs {b}");
        }
    }

    /// <summary>The USM processor with every user we have keys for: it must never throw, only accept or reject.</summary>
    private void ProcessWithKnownUsers(byte[] datagram, V3Message message, bool resign)
    {
        foreach (FuzzUser user in FuzzCredentials.Users)
        {
            if (!message.Usm.EngineId.Span.SequenceEqual(user.EngineId) && _random.Next(4) != 0)
            {
                continue;
            }

            byte[] bytes = datagram;
            if (resign)
            {
                if (user.Keys is null || message.Usm.AuthenticationParameters.Length != UsmAuthentication.MacLength(user.Credentials.Auth))
                {
                    continue;
                }

                // Sign the damaged message as the agent would, so the damage reaches decryption and the scoped PDU decoder.
                byte[] signed = [];
                V3Message original = message;
                Unmeasured(() =>
                {
                    signed = datagram.ToArray();
                    Span<byte> mac = signed.AsSpan(original.AuthenticationParametersOffset, original.Usm.AuthenticationParameters.Length);
                    mac.Clear();
                    UsmAuthentication.Sign(user.Credentials.Auth, user.Keys.AuthKey, signed, mac);
                    message = V3Message.Decode(signed);
                });
                bytes = signed;
            }

            var engine = new RemoteEngine(user.EngineId, message.Usm.EngineBoots, message.Usm.EngineTime, Clock);
            V3Message current = message;
            if (UsmMessageProcessor.Process(bytes, current, user.Credentials, user.Keys, engine, out ScopedPdu? scoped, out _) == UsmIncomingStatus.Accepted)
            {
                Unmeasured(() => CheckPdu(scoped!.Pdu));
            }
        }
    }

    /// <summary>A damaged plaintext scoped PDU, encrypted and signed by a real user: exercises decryption and the decoder behind it.</summary>
    private void ProcessEncrypted(byte[] plaintext)
    {
        FuzzUser user = PrivateUsers[_random.Next(PrivateUsers.Length)];
        RemoteEngine? engine = null;
        byte[] datagram = [];
        V3Message? message = null;
        Unmeasured(() =>
        {
            engine = new RemoteEngine(user.EngineId, 7, 4242, Clock);
            byte[] ciphertext = _privacy.Encrypt(user.Credentials.Priv, user.Keys!.PrivKey, 7, 4242, plaintext, out byte[] salt);
            var usm = new UsmSecurityParameters(user.EngineId, 7, 4242, Encoding.UTF8.GetBytes(user.Credentials.UserName),
                new byte[UsmAuthentication.MacLength(user.Credentials.Auth)], salt);
            datagram = V3Message.Encode(1, 65507, V3MessageFlags.Authenticated | V3MessageFlags.Private, usm, ciphertext, encrypted: true, out int authOffset);
            UsmAuthentication.Sign(user.Credentials.Auth, user.Keys.AuthKey, datagram, datagram.AsSpan(authOffset, usm.AuthenticationParameters.Length));
            message = V3Message.Decode(datagram);
        });
        if (UsmMessageProcessor.Process(datagram, message!, user.Credentials, user.Keys, engine, out ScopedPdu? scoped, out _) == UsmIncomingStatus.Accepted)
        {
            Unmeasured(() => CheckPdu(scoped!.Pdu));
        }
    }

    private static readonly FuzzUser[] PrivateUsers = [.. FuzzCredentials.Users.Where(u => u.Credentials.Priv != PrivProtocol.None)];

    private void CheckSnmprec(string line, bool measure)
    {
        byte[] asBytes = Encoding.UTF8.GetBytes(line);
        Volatile.Write(ref _current, asBytes);
        Call("SnmprecFormat.TryParseRecord", asBytes, measure, mayReject: false, () =>
        {
            if (SnmprecFormat.TryParseRecord(line, out Varbind varbind, out _))
            {
                string again = SnmprecFormat.FormatRecord(varbind);
                if (!SnmprecFormat.TryParseRecord(again, out Varbind reparsed, out string? error) || reparsed != varbind)
                {
                    throw new InvalidDataException($"'{line}' parsed, formatted as '{again}', which does not parse back ({error ?? "different value"})");
                }

                _ = NetSnmpFormat.FormatVarbind(varbind);
            }
        });
    }

    private static readonly string[] SnmprecPieces =
    [
        "|", "||", ".", "..", "x", "e", ":", "-", "+", " ", "\t", "#", "0", "00", "4294967295", "4294967296", "18446744073709551616",
        "-2147483649", "9999999999999999999999", "2", "4", "4x", "64", "64x", "65", "70", "128", "255", "1.3.6.1", ".1.3", "4294967296.1",
        "zz", "0x", "\u00e9", "\ud800", "\u0000", "1.2.3.4", "256.1.1.1", "::1", "abc", "ff", "f", "\r\n",
    ];

    private string MutateSnmprec()
    {
        var text = new StringBuilder(FuzzSeeds.SnmprecLines[_random.Next(FuzzSeeds.SnmprecLines.Count)]);
        for (int n = 1 + _random.Next(3); n > 0; n--)
        {
            int at = _random.Next(text.Length + 1);
            switch (_random.Next(5))
            {
                case 0:
                    text.Insert(at, SnmprecPieces[_random.Next(SnmprecPieces.Length)]);
                    break;
                case 1 when text.Length > 0:
                    text.Remove(Math.Min(at, text.Length - 1), 1 + _random.Next(Math.Max(1, text.Length - at) ));
                    break;
                case 2 when text.Length > 0:
                    text[Math.Min(at, text.Length - 1)] = (char)_random.Next(0, 0x3000);
                    break;
                case 3:
                    {
                        // Replace the value with an extreme one.
                        string s = text.ToString();
                        int bar = s.LastIndexOf('|');
                        if (bar >= 0)
                        {
                            text.Length = bar + 1;
                            text.Append(SnmprecPieces[_random.Next(SnmprecPieces.Length)]);
                            if (_random.Next(2) == 0)
                            {
                                text.Append(new string((char)('0' + _random.Next(10)), _random.Next(40)));
                            }
                        }

                        break;
                    }

                default:
                    {
                        // Replace the tag.
                        string s = text.ToString();
                        string[] parts = s.Split('|');
                        if (parts.Length >= 3)
                        {
                            parts[1] = SnmprecPieces[_random.Next(SnmprecPieces.Length)] + (_random.Next(3) == 0 ? SnmprecPieces[_random.Next(SnmprecPieces.Length)] : "");
                            text.Clear().Append(string.Join('|', parts));
                        }

                        break;
                    }
            }
        }

        return text.ToString();
    }
}
