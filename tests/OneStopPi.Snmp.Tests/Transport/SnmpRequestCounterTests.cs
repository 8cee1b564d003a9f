using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Snmp.Tests.Transport;

/// <summary>
/// The requests GET/GETNEXT/GETBULK report through <see cref="SnmpRequestCounter"/> (each one the agent
/// receives, retransmissions aside), and SNMPv1 genErr taken as missing when the target asks (127.0.79.1).
/// Each test has a client of its own, so that its statistics are the test's.
/// </summary>
[TestFixture]
public sealed class SnmpRequestCounterTests
{
    private TestResponder _agent = null!;

    [SetUp]
    public void StartAgent()
    {
        _agent = TestResponder.Start("127.0.79.1");
        _agent.AddSystemAndInterfaces(30);
    }

    [TearDown]
    public async Task StopAgent() => await _agent.DisposeAsync();

    [Test]
    public async Task A_GET_split_after_tooBig_counts_every_part()
    {
        // 4 OIDs, at most 2 a request: the whole (tooBig), then its two halves.
        await using var client = new SnmpClient();
        _agent.MaxGetVarbinds = 2;
        var requests = new SnmpRequestCounter();
        ObjectIdentifier[] oids = [.. Enumerable.Range(1, 4).Select(i => SystemObject((uint)i))];

        IReadOnlyList<Varbind> varbinds = await client.GetAsync(_agent.Target(), oids, requests);

        Assert.Multiple(() =>
        {
            Assert.That(varbinds.Select(v => v.Oid), Is.EqualTo(oids));
            Assert.That(requests.Requests, Is.EqualTo(3));
            Assert.That(requests.Requests, Is.EqualTo(_agent.RequestsReceived));
        });
    }

    [Test]
    public async Task A_GETNEXT_split_after_tooBig_counts_every_part()
    {
        await using var client = new SnmpClient();
        _agent.MaxGetVarbinds = 1;
        var requests = new SnmpRequestCounter();
        await client.GetNextAsync(_agent.Target(), [SystemObject(1), SystemObject(2)], requests);
        Assert.That(requests.Requests, Is.EqualTo(3));
    }

    [Test]
    public async Task A_GETBULK_halved_after_tooBig_counts_every_try()
    {
        await using var client = new SnmpClient();
        _agent.MaxRepetitionsAllowed = 5;
        var requests = new SnmpRequestCounter();
        await client.GetBulkAsync(_agent.Target(), 0, 25, [TestResponder.InterfacesGroup], requests);
        Assert.That(requests.Requests, Is.EqualTo(4), "25, 12, 6, 3");
    }

    [Test]
    public async Task An_SNMPv1_noSuchName_asked_again_counts_two()
    {
        await using var client = new SnmpClient();
        var requests = new SnmpRequestCounter();
        ObjectIdentifier missing = SystemObject(9);

        IReadOnlyList<Varbind> varbinds = await client.GetAsync(_agent.Target(SnmpVersion.V1), [SystemObject(1), missing], requests);

        Assert.Multiple(() =>
        {
            Assert.That(varbinds[1], Is.EqualTo(new Varbind(missing, SnmpValue.NoSuchObject)));
            Assert.That(requests.Requests, Is.EqualTo(2));
            Assert.That(_agent.RequestsReceived, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task An_SNMPv1_noSuchName_for_the_only_varbind_is_not_asked_again()
    {
        await using var client = new SnmpClient();
        var requests = new SnmpRequestCounter();
        IReadOnlyList<Varbind> varbinds = await client.GetAsync(_agent.Target(SnmpVersion.V1), [SystemObject(9)], requests);
        Assert.Multiple(() =>
        {
            Assert.That(varbinds.Single().Value, Is.EqualTo(SnmpValue.NoSuchObject));
            Assert.That(requests.Requests, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Retransmissions_of_the_same_request_are_not_counted()
    {
        // The agent ignores the first datagram; the client's retransmission is answered.
        await using var client = new SnmpClient();
        int seen = 0;
        _agent.Override = (_, _) => Interlocked.Increment(ref seen) == 1 ? [] : null;
        var requests = new SnmpRequestCounter();

        await client.GetAsync(_agent.Target() with { Timeout = TimeSpan.FromMilliseconds(200), Retries = 2 }, [SystemObject(1)], requests);

        Assert.Multiple(() =>
        {
            Assert.That(_agent.RequestsReceived, Is.EqualTo(2));
            Assert.That(client.Statistics.Retransmissions, Is.EqualTo(1));
            Assert.That(requests.Requests, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_request_that_times_out_still_counts()
    {
        await using var client = new SnmpClient();
        _agent.Override = (_, _) => [];
        var requests = new SnmpRequestCounter();

        Assert.ThrowsAsync<SnmpTimeoutException>(async () =>
            await client.GetAsync(_agent.Target() with { Timeout = TimeSpan.FromMilliseconds(100), Retries = 1 }, [SystemObject(1)], requests));

        Assert.That(requests.Requests, Is.EqualTo(1));
        await Task.CompletedTask;
    }

    [Test]
    public async Task One_counter_totals_several_calls_including_concurrent_ones()
    {
        await using var client = new SnmpClient();
        var requests = new SnmpRequestCounter();
        await client.GetAsync(_agent.Target(), [SystemObject(1)], requests);
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => client.GetNextAsync(_agent.Target(), [TestResponder.InterfacesGroup.Append(2, 1, 10, (uint)i)], requests).AsTask()));
        Assert.That(requests.Requests, Is.EqualTo(21));
    }

    [Test]
    public async Task Calls_without_a_counter_behave_the_same()
    {
        await using var client = new SnmpClient();
        _agent.MaxGetVarbinds = 2;
        ObjectIdentifier[] oids = [.. Enumerable.Range(1, 4).Select(i => SystemObject((uint)i))];
        IReadOnlyList<Varbind> varbinds = await client.GetAsync(_agent.Target(), oids, requests: null);
        Assert.That(varbinds.Select(v => v.Oid), Is.EqualTo(oids));
    }

    [Test]
    public async Task SNMPv1_genErr_for_one_varbind_is_missing_when_the_target_says_so()
    {
        await using var client = new SnmpClient();
        AnswerGenErrFor(SystemObject(2));
        var requests = new SnmpRequestCounter();
        ObjectIdentifier[] oids = [SystemObject(1), SystemObject(2), SystemObject(3)];

        IReadOnlyList<Varbind> varbinds = await client.GetAsync(_agent.Target(SnmpVersion.V1) with { TreatV1GenErrAsMissing = true }, oids, requests);

        Assert.Multiple(() =>
        {
            Assert.That(varbinds.Select(v => v.Oid), Is.EqualTo(oids));
            Assert.That(varbinds.Select(v => v.Value.Type), Is.EqualTo(new[] { SnmpValueType.OctetString, SnmpValueType.NoSuchObject, SnmpValueType.OctetString }));
            Assert.That(requests.Requests, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task SNMPv1_genErr_in_a_GETNEXT_is_the_end_of_the_MIB_for_that_varbind_when_the_target_says_so()
    {
        await using var client = new SnmpClient();
        AnswerGenErrFor(SystemObject(2));
        IReadOnlyList<Varbind> varbinds = await client.GetNextAsync(_agent.Target(SnmpVersion.V1) with { TreatV1GenErrAsMissing = true },
            [SystemObject(2), SystemObject(3)]);
        Assert.That(varbinds, Is.EqualTo(new[]
        {
            new Varbind(SystemObject(2), SnmpValue.EndOfMibView),
            new Varbind(SystemObject(4), SnmpValue.OctetString("system 4")),
        }));
    }

    [TestCase(SnmpVersion.V1, false)]
    [TestCase(SnmpVersion.V2c, true)]
    public async Task GenErr_is_an_error_otherwise(SnmpVersion version, bool treatV1GenErrAsMissing)
    {
        await using var client = new SnmpClient();
        AnswerGenErrFor(SystemObject(2));
        var requests = new SnmpRequestCounter();

        var error = Assert.ThrowsAsync<SnmpErrorStatusException>(async () => await client.GetAsync(
            _agent.Target(version) with { TreatV1GenErrAsMissing = treatV1GenErrAsMissing }, [SystemObject(1), SystemObject(2)], requests));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Status, Is.EqualTo(SnmpErrorStatus.GenErr));
            Assert.That(error.Oid, Is.EqualTo(SystemObject(2)));
            Assert.That(requests.Requests, Is.EqualTo(1));
        });
        await Task.CompletedTask;
    }

    /// <summary>The agent fails any GET/GETNEXT naming <paramref name="oid"/> with genErr at its index, as some SNMPv1 printers do.</summary>
    private void AnswerGenErrFor(ObjectIdentifier oid) =>
        _agent.Override = (request, _) =>
        {
            int index = request.Pdu.Varbinds.Select(v => v.Oid).ToList().IndexOf(oid);
            return index < 0
                ? null
                : [new CommunityMessage(request.Version, request.Community, Pdu.Response(request.Pdu.RequestId, SnmpErrorStatus.GenErr, index + 1, request.Pdu.Varbinds)).Encode()];
        };

    /// <summary>sysDescr.0 (1) .. sysServices.0 (7), served as "system 1".."system 7"; 8 and above are missing.</summary>
    private static ObjectIdentifier SystemObject(uint arc) => TestResponder.SystemGroup.Append(arc, 0);
}
