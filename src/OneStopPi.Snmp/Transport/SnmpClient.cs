using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Transport;

/// <summary>
/// An SNMP manager on one UDP socket: any number of requests in flight, to any number of agents,
/// matched by request-id (msgID in v3) and source address. Read-only: it can GET, GETNEXT,
/// GETBULK and walk, nothing else.
/// </summary>
public sealed partial class SnmpClient : IAsyncDisposable
{
    private readonly SnmpClientOptions _options;
    private readonly TimeProvider _time;
    private readonly UsmMessageProcessor _usm;
    private readonly UsmKeyCache _keys = new();
    private readonly ConcurrentDictionary<IPEndPoint, Task<RemoteEngine>> _engines = new();

    /// <summary>The receive thread only decodes (at most a few KiB of stack); a small stack keeps a Pi's footprint small.</summary>
    private const int ReceiveThreadStackSize = 256 * 1024;

    public SnmpClient(SnmpClientOptions? options = null)
    {
        _options = options ?? new SnmpClientOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxInFlight, 1);
        _time = _options.TimeProvider;
        Random random = _options.Random ?? new Random();
        _nextId = random.Next(1, int.MaxValue / 2);
        _usm = new UsmMessageProcessor(new UsmPrivacy((ulong)random.NextInt64()));
        _slots = new SemaphoreSlim(_options.MaxInFlight, _options.MaxInFlight);
        _socket = CreateSocket(_options);
        // Armed by the first request in flight (SendAsync), stopped by the sweep that finds none left.
        _sweepTimer = _time.CreateTimer(static state => ((SnmpClient)state!).Sweep(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var receiveDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiveLoop = receiveDone.Task;
        new Thread(
            () =>
            {
                try
                {
                    ReceiveLoop();
                }
                finally
                {
                    receiveDone.SetResult();
                }
            },
            ReceiveThreadStackSize)
        { IsBackground = true, Name = "snmp-receive" }.Start();
    }

    /// <summary>GET (RFC 3416 4.2.1): one value per OID, in order. Splits the request when the agent says tooBig.</summary>
    public ValueTask<IReadOnlyList<Varbind>> GetAsync(SnmpTarget target, IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken = default) =>
        GetAsync(target, oids, null, cancellationToken);

    /// <summary>
    /// GET (RFC 3416 4.2.1): one value per OID, in order. Splits the request when the agent says tooBig.
    /// Adds every request sent to <paramref name="requests"/>, when given.
    /// </summary>
    public ValueTask<IReadOnlyList<Varbind>> GetAsync(SnmpTarget target, IReadOnlyList<ObjectIdentifier> oids, SnmpRequestCounter? requests,
        CancellationToken cancellationToken = default) =>
        GetOrNextAsync(target, PduType.GetRequest, oids, requests, cancellationToken);

    /// <summary>GETNEXT (RFC 3416 4.2.2): the next OID after each one given, with its value.</summary>
    public ValueTask<IReadOnlyList<Varbind>> GetNextAsync(SnmpTarget target, IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken = default) =>
        GetNextAsync(target, oids, null, cancellationToken);

    /// <summary>
    /// GETNEXT (RFC 3416 4.2.2): the next OID after each one given, with its value. Adds every request
    /// sent to <paramref name="requests"/>, when given.
    /// </summary>
    public ValueTask<IReadOnlyList<Varbind>> GetNextAsync(SnmpTarget target, IReadOnlyList<ObjectIdentifier> oids, SnmpRequestCounter? requests,
        CancellationToken cancellationToken = default) =>
        GetOrNextAsync(target, PduType.GetNextRequest, oids, requests, cancellationToken);

    /// <summary>
    /// GETBULK (RFC 3416 4.2.3; not in SNMPv1). On tooBig the repetitions are halved until the
    /// answer fits.
    /// </summary>
    public ValueTask<IReadOnlyList<Varbind>> GetBulkAsync(SnmpTarget target, int nonRepeaters, int maxRepetitions,
        IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken = default) =>
        GetBulkAsync(target, nonRepeaters, maxRepetitions, oids, null, cancellationToken);

    /// <summary>
    /// GETBULK (RFC 3416 4.2.3; not in SNMPv1). On tooBig the repetitions are halved until the
    /// answer fits. Adds every request sent to <paramref name="requests"/>, when given.
    /// </summary>
    public async ValueTask<IReadOnlyList<Varbind>> GetBulkAsync(SnmpTarget target, int nonRepeaters, int maxRepetitions,
        IReadOnlyList<ObjectIdentifier> oids, SnmpRequestCounter? requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Credentials.Version == SnmpVersion.V1)
        {
            throw new ArgumentException("SNMPv1 has no GETBULK; use GETNEXT.", nameof(target));
        }

        return (await GetBulkFittingAsync(target, nonRepeaters, maxRepetitions, oids, requests, cancellationToken).ConfigureAwait(false)).Varbinds;
    }

    /// <summary>GETBULK, halving on tooBig; also returns the repetitions that fitted, so a walk keeps using them.</summary>
    private async ValueTask<(IReadOnlyList<Varbind> Varbinds, int MaxRepetitions)> GetBulkFittingAsync(SnmpTarget target, int nonRepeaters, int maxRepetitions,
        IReadOnlyList<ObjectIdentifier> oids, SnmpRequestCounter? requests, CancellationToken cancellationToken)
    {
        while (true)
        {
            SnmpResponse response = await SendCountedAsync(target, id => Pdu.GetBulkRequest(id, nonRepeaters, maxRepetitions, oids), requests, cancellationToken).ConfigureAwait(false);
            if (response.ErrorStatus == SnmpErrorStatus.TooBig && maxRepetitions > 1)
            {
                maxRepetitions /= 2;
                continue;
            }

            ThrowIfError(target, response, oids);
            return (response.Varbinds, maxRepetitions);
        }
    }

    /// <summary>
    /// Every object below <paramref name="root"/> in order: GETBULK on v2c/v3, GETNEXT on v1.
    /// Stops at the end of the subtree or endOfMibView; throws <see cref="SnmpWalkException"/> after
    /// what was read when the agent returns an OID that does not increase (a looping agent).
    /// When nothing lies below the root, the root itself is tried with a GET, as net-snmp's snmpwalk does.
    /// </summary>
    public async IAsyncEnumerable<Varbind> WalkAsync(SnmpTarget target, ObjectIdentifier root, WalkOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        options ??= WalkOptions.Default;
        bool bulk = options.UseGetBulk && target.Credentials.Version != SnmpVersion.V1;
        ObjectIdentifier last = root;
        long count = 0;
        int repetitions = options.MaxRepetitions;
        while (true)
        {
            IReadOnlyList<Varbind> batch;
            if (bulk)
            {
                // After a tooBig, keep the repetitions that fitted for the rest of the walk.
                (batch, repetitions) = await GetBulkFittingAsync(target, 0, repetitions, [last], null, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                batch = await GetNextAsync(target, [last], cancellationToken).ConfigureAwait(false);
            }

            if (batch.Count == 0)
            {
                break;
            }

            bool ended = false;
            foreach (Varbind varbind in batch)
            {
                if (varbind.Value.IsException || !varbind.Oid.IsDescendantOf(root))
                {
                    ended = true;
                    break;
                }

                if (varbind.Oid <= last)
                {
                    throw new SnmpWalkException($"{target.EndPoint} returned {varbind.Oid} after {last}: OID not increasing.");
                }

                if (++count > options.MaxVarbinds)
                {
                    throw new SnmpWalkException($"{target.EndPoint}: walk of {root} exceeded {options.MaxVarbinds} objects.");
                }

                last = varbind.Oid;
                yield return varbind;
            }

            if (ended)
            {
                break;
            }
        }

        if (count == 0 && options.GetRootWhenEmpty)
        {
            IReadOnlyList<Varbind> single = await GetAsync(target, [root], cancellationToken).ConfigureAwait(false);
            if (single.Count == 1 && !single[0].Value.IsException)
            {
                yield return single[0];
            }
        }
    }

    /// <summary>
    /// Sends one read request built by <paramref name="buildPdu"/> for the request-id it is given
    /// and returns the agent's answer as is (error-status included).
    /// </summary>
    public async ValueTask<SnmpResponse> SendAsync(SnmpTarget target, Func<int, Pdu> buildPdu, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(buildPdu);
        TimeSpan timeout = target.Timeout ?? _options.Timeout;
        int retries = target.Retries ?? _options.Retries;
        IncomingMessage answer = target.Credentials switch
        {
            CommunityCredentials community => await ExchangeAsync(target.EndPoint, community.Version, null,
                id => new CommunityMessage(community.Version, community.CommunityBytes, CheckedRequest(buildPdu(id))).Encode(),
                timeout, retries, target.RoundTrip, cancellationToken).ConfigureAwait(false),
            UsmCredentials user => await ExchangeV3Async(target, user, buildPdu, timeout, retries, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentException($"Unsupported credentials {target.Credentials.GetType().Name}.", nameof(target)),
        };
        return new SnmpResponse(answer.Pdu.ErrorStatus, answer.Pdu.ErrorIndex, answer.Pdu.Varbinds);
    }

    private static Pdu CheckedRequest(Pdu pdu) =>
        pdu.IsRequest ? pdu : throw new ArgumentException($"{pdu.Type} is not a request.", nameof(pdu));

    /// <summary>Sends one request of an operation, counting it first so that one that fails still counts.</summary>
    private ValueTask<SnmpResponse> SendCountedAsync(SnmpTarget target, Func<int, Pdu> buildPdu, SnmpRequestCounter? requests, CancellationToken cancellationToken)
    {
        requests?.Increment();
        return SendAsync(target, buildPdu, cancellationToken);
    }

    /// <summary>
    /// GET or GETNEXT with tooBig splitting and SNMPv1 noSuchName handling: the one place for both, behind
    /// the public methods (hence the argument checks) and its own retries.
    /// </summary>
    private async ValueTask<IReadOnlyList<Varbind>> GetOrNextAsync(SnmpTarget target, PduType type, IReadOnlyList<ObjectIdentifier> oids, SnmpRequestCounter? requests,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (oids.Count == 0)
        {
            return [];
        }

        Func<int, Pdu> build = type == PduType.GetRequest
            ? id => Pdu.GetRequest(id, oids)
            : id => Pdu.GetNextRequest(id, oids);
        SnmpResponse response = await SendCountedAsync(target, build, requests, cancellationToken).ConfigureAwait(false);
        switch (response.ErrorStatus)
        {
            case SnmpErrorStatus.NoError:
                if (response.Varbinds.Count != oids.Count)
                {
                    throw new SnmpException($"{target.EndPoint} answered {response.Varbinds.Count} varbinds to a request for {oids.Count}.");
                }

                return response.Varbinds;

            case SnmpErrorStatus.TooBig when oids.Count > 1:
                // RFC 3416 4.2.1: the answer would not fit; ask for the halves separately.
                int half = oids.Count / 2;
                IReadOnlyList<Varbind> first = await GetOrNextAsync(target, type, Slice(oids, 0, half), requests, cancellationToken).ConfigureAwait(false);
                IReadOnlyList<Varbind> second = await GetOrNextAsync(target, type, Slice(oids, half, oids.Count - half), requests, cancellationToken).ConfigureAwait(false);
                return [.. first, .. second];

            case SnmpErrorStatus.NoSuchName or SnmpErrorStatus.GenErr when response.ErrorIndex >= 1 && response.ErrorIndex <= oids.Count
                && (response.ErrorStatus == SnmpErrorStatus.NoSuchName || (target.TreatV1GenErrAsMissing && target.Credentials.Version == SnmpVersion.V1)):
                // RFC 3584 4.4: an SNMPv1 agent fails the whole request for one missing object (some say genErr,
                // taken as missing only when the target asks for it). Give that one the SNMPv2 exception and ask
                // again for the rest.
                int missing = response.ErrorIndex - 1;
                SnmpValue exception = type == PduType.GetRequest ? SnmpValue.NoSuchObject : SnmpValue.EndOfMibView;
                if (oids.Count == 1)
                {
                    return [new Varbind(oids[0], exception)];
                }

                var rest = new List<ObjectIdentifier>(oids.Count - 1);
                for (int i = 0; i < oids.Count; i++)
                {
                    if (i != missing)
                    {
                        rest.Add(oids[i]);
                    }
                }

                IReadOnlyList<Varbind> others = await GetOrNextAsync(target, type, rest, requests, cancellationToken).ConfigureAwait(false);
                var merged = new List<Varbind>(oids.Count);
                int before = Math.Min(missing, others.Count);
                for (int i = 0; i < before; i++)
                {
                    merged.Add(others[i]);
                }

                merged.Add(new Varbind(oids[missing], exception));
                for (int i = before; i < others.Count; i++)
                {
                    merged.Add(others[i]);
                }

                return merged;

            default:
                ThrowIfError(target, response, oids);
                return response.Varbinds;
        }
    }

    /// <summary>
    /// <paramref name="count"/> OIDs from <paramref name="start"/>. Loops rather than LINQ in this file: LINQ over a value
    /// type such as ObjectIdentifier is compiled once per element type and operator in the AOT image.
    /// </summary>
    private static ObjectIdentifier[] Slice(IReadOnlyList<ObjectIdentifier> oids, int start, int count)
    {
        var slice = new ObjectIdentifier[count];
        for (int i = 0; i < count; i++)
        {
            slice[i] = oids[start + i];
        }

        return slice;
    }

    private static void ThrowIfError(SnmpTarget target, SnmpResponse response, IReadOnlyList<ObjectIdentifier> oids)
    {
        if (response.ErrorStatus != SnmpErrorStatus.NoError)
        {
            ObjectIdentifier? oid = response.ErrorIndex >= 1 && response.ErrorIndex <= oids.Count ? oids[response.ErrorIndex - 1] : (ObjectIdentifier?)null;
            throw new SnmpErrorStatusException(target.EndPoint, response.ErrorStatus, response.ErrorIndex, oid);
        }
    }
}
