using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Snmp.Tests.Transport;

/// <summary>GET/GETNEXT/GETBULK semantics against the in-process responder (127.0.91.20-29): tooBig, SNMPv1 noSuchName, walks.</summary>
[TestFixture]
public sealed class SnmpClientRequestTests
{
    private static readonly ObjectIdentifier System = TestResponder.SystemGroup;
    private static readonly ObjectIdentifier Interfaces = TestResponder.InterfacesGroup;
    private TestResponder _responder = null!;
    private SnmpClient _client = null!;

    [SetUp]
    public void Start()
    {
        _responder = TestResponder.Start("127.0.91.20");
        _responder.AddSystemAndInterfaces(100);
        _responder.Add("1.3.6.1.4.1.11.2.3.9.1.1.7.0", SnmpValue.OctetString("MFG:HP"));
        _client = new SnmpClient();
    }

    [TearDown]
    public async Task Stop()
    {
        await _client.DisposeAsync();
        await _responder.DisposeAsync();
    }

    [Test]
    public async Task TooBig_GET_is_split_until_it_fits_and_keeps_the_order()
    {
        _responder.MaxGetVarbinds = 3;
        ObjectIdentifier[] oids = [.. Enumerable.Range(1, 10).Select(i => Interfaces.Append(2, 1, 10, (uint)i)), System.Append(9, 0)];

        IReadOnlyList<Varbind> varbinds = await _client.GetAsync(Target(), oids);

        Assert.Multiple(() =>
        {
            Assert.That(varbinds.Select(v => v.Oid), Is.EqualTo(oids));
            Assert.That(varbinds.Take(10).Select(v => v.Value.AsUInt64()), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (ulong)i)));
            Assert.That(varbinds[10].Value, Is.EqualTo(SnmpValue.NoSuchObject));
            Assert.That(_responder.Requests.Where(r => r.Varbinds.Count <= 3).Sum(r => r.Varbinds.Count), Is.EqualTo(11), "each OID asked once in a request that fits");
        });
    }

    [Test]
    public async Task TooBig_for_a_single_OID_is_an_error()
    {
        _responder.MaxGetVarbinds = 0;
        var error = Assert.ThrowsAsync<SnmpErrorStatusException>(async () => await _client.GetAsync(Target(), [System.Append(1, 0)]));
        Assert.That(error!.Status, Is.EqualTo(SnmpErrorStatus.TooBig));
        await Task.CompletedTask;
    }

    [Test]
    public async Task TooBig_GETBULK_halves_the_repetitions()
    {
        _responder.MaxRepetitionsAllowed = 5;

        IReadOnlyList<Varbind> varbinds = await _client.GetBulkAsync(Target(), 0, 25, [Interfaces]);

        Assert.Multiple(() =>
        {
            Assert.That(_responder.Requests.Select(r => r.MaxRepetitions), Is.EqualTo(new[] { 25, 12, 6, 3 }));
            Assert.That(varbinds.Select(v => v.Oid), Is.EqualTo(Enumerable.Range(1, 3).Select(i => Interfaces.Append(2, 1, 10, (uint)i))));
        });
    }

    [Test]
    public async Task TooBig_GETBULK_with_one_repetition_is_an_error()
    {
        _responder.MaxRepetitionsAllowed = 0;
        var error = Assert.ThrowsAsync<SnmpErrorStatusException>(async () => await _client.GetBulkAsync(Target(), 0, 8, [Interfaces]));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Status, Is.EqualTo(SnmpErrorStatus.TooBig));
            Assert.That(_responder.Requests.Select(r => r.MaxRepetitions), Is.EqualTo(new[] { 8, 4, 2, 1 }));
        });
        await Task.CompletedTask;
    }

    [Test]
    public async Task GETBULK_with_non_repeaters()
    {
        IReadOnlyList<Varbind> varbinds = await _client.GetBulkAsync(Target(), 1, 2, [System, Interfaces]);
        Assert.That(varbinds.Select(v => v.Oid.ToString()), Is.EqualTo(new[]
        {
            "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.2.2.1.10.1", "1.3.6.1.2.1.2.2.1.10.2",
        }));
    }

    [Test]
    public void GETBULK_is_refused_for_SNMPv1()
    {
        Assert.That(async () => await _client.GetBulkAsync(Target(SnmpVersion.V1), 0, 5, [System]), Throws.ArgumentException);
        Assert.That(_client.Statistics.DatagramsSent, Is.Zero);
    }

    [Test]
    public async Task SNMPv1_noSuchName_gives_NoSuchObject_for_the_missing_one_only()
    {
        ObjectIdentifier missing = System.Append(9, 0);
        IReadOnlyList<Varbind> varbinds = await _client.GetAsync(Target(SnmpVersion.V1), [System.Append(1, 0), missing, System.Append(5, 0)]);
        Assert.That(varbinds, Is.EqualTo(new[]
        {
            new Varbind(System.Append(1, 0), SnmpValue.OctetString("system 1")),
            new Varbind(missing, SnmpValue.NoSuchObject),
            new Varbind(System.Append(5, 0), SnmpValue.OctetString("system 5")),
        }));
    }

    [Test]
    public async Task SNMPv1_noSuchName_for_several_missing_ones()
    {
        ObjectIdentifier[] oids = ["1.3.6.1.9.1", System.Append(2, 0), "1.3.6.1.9.2", "1.3.6.1.9.3"];
        IReadOnlyList<Varbind> varbinds = await _client.GetAsync(Target(SnmpVersion.V1), oids);
        Assert.Multiple(() =>
        {
            Assert.That(varbinds.Select(v => v.Oid), Is.EqualTo(oids));
            Assert.That(varbinds.Select(v => v.Value.Type), Is.EqualTo(new[] { SnmpValueType.NoSuchObject, SnmpValueType.OctetString, SnmpValueType.NoSuchObject, SnmpValueType.NoSuchObject }));
        });
    }

    [Test]
    public async Task SNMPv1_GETNEXT_past_the_end_gives_EndOfMibView()
    {
        IReadOnlyList<Varbind> varbinds = await _client.GetNextAsync(Target(SnmpVersion.V1), ["1.3.6.1.4.1.11.2.3.9.1.1.7.0", System]);
        Assert.That(varbinds, Is.EqualTo(new[]
        {
            new Varbind("1.3.6.1.4.1.11.2.3.9.1.1.7.0", SnmpValue.EndOfMibView),
            new Varbind(System.Append(1, 0), SnmpValue.OctetString("system 1")),
        }));
    }

    [Test]
    public async Task A_response_with_the_wrong_number_of_varbinds_is_an_error()
    {
        _responder.Override = (request, _) => [TestResponder.ResponseWithId(request, request.Pdu.RequestId, [])];
        Assert.ThrowsAsync<SnmpException>(async () => await _client.GetAsync(Target(), [System.Append(1, 0)]));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Other_error_statuses_are_SnmpErrorStatusException_naming_the_oid()
    {
        _responder.Override = (request, _) => [new OneStopPi.Snmp.Messages.CommunityMessage(request.Version, request.Community,
            Pdu.Response(request.Pdu.RequestId, SnmpErrorStatus.GenErr, 2, request.Pdu.Varbinds)).Encode()];
        var error = Assert.ThrowsAsync<SnmpErrorStatusException>(async () => await _client.GetAsync(Target(), [System.Append(1, 0), System.Append(2, 0)]));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Status, Is.EqualTo(SnmpErrorStatus.GenErr));
            Assert.That(error.ErrorIndex, Is.EqualTo(2));
            Assert.That(error.Oid, Is.EqualTo(System.Append(2, 0)));
        });
        await Task.CompletedTask;
    }

    [TestCase(SnmpVersion.V2c)]
    [TestCase(SnmpVersion.V1)]
    public async Task Walk_stops_at_the_end_of_the_subtree(SnmpVersion version)
    {
        List<Varbind> walked = await Collect(_client.WalkAsync(Target(version), System));
        Assert.Multiple(() =>
        {
            Assert.That(walked.Select(v => v.Oid), Is.EqualTo(Enumerable.Range(1, 7).Select(i => System.Append((uint)i, 0))));
            Assert.That(walked[0].Value.AsText(), Is.EqualTo("system 1"));
        });
    }

    [TestCase(SnmpVersion.V2c, 25)]
    [TestCase(SnmpVersion.V2c, 1)]
    [TestCase(SnmpVersion.V1, 0)]
    public async Task Walk_of_everything_ends_at_the_end_of_the_MIB(SnmpVersion version, int maxRepetitions)
    {
        var options = new WalkOptions { MaxRepetitions = Math.Max(1, maxRepetitions) };
        List<Varbind> walked = await Collect(_client.WalkAsync(Target(version), "1", options));
        Assert.That(walked.Select(v => v.Oid), Is.EqualTo(_responder.Data.Keys));
    }

    [Test]
    public async Task Walk_uses_GETBULK_on_v2c_and_GETNEXT_on_v1()
    {
        await Collect(_client.WalkAsync(Target(SnmpVersion.V2c), System));
        PduType[] v2cTypes = [.. _responder.Requests.Select(r => r.Type).Distinct()];
        _responder.Requests.Clear();
        await Collect(_client.WalkAsync(Target(SnmpVersion.V1), System));
        PduType[] v1Types = [.. _responder.Requests.Select(r => r.Type).Distinct()];
        Assert.Multiple(() =>
        {
            Assert.That(v2cTypes, Is.EqualTo(new[] { PduType.GetBulkRequest }));
            Assert.That(v1Types, Is.EqualTo(new[] { PduType.GetNextRequest }));
        });
    }

    [Test]
    public async Task Walk_of_a_leaf_gets_the_leaf_as_snmpwalk_does()
    {
        ObjectIdentifier leaf = System.Append(3, 0);
        List<Varbind> walked = await Collect(_client.WalkAsync(Target(), leaf));
        List<Varbind> none = await Collect(_client.WalkAsync(Target(), System.Append(42)));
        Assert.Multiple(() =>
        {
            Assert.That(walked, Is.EqualTo(new[] { new Varbind(leaf, SnmpValue.OctetString("system 3")) }));
            Assert.That(none, Is.Empty);
        });
    }

    [Test]
    public async Task Walk_with_a_small_agent_limit_finds_the_fitting_repetitions_once()
    {
        // 100 interface rows; the agent accepts at most 5 repetitions. After the first halving the
        // walk should keep the size that fits, not start again at 25 for every batch.
        _responder.MaxRepetitionsAllowed = 5;
        List<Varbind> walked = await Collect(_client.WalkAsync(Target(), Interfaces));
        int tooBig = _responder.Requests.Count(r => r.MaxRepetitions > 5);
        Assert.Multiple(() =>
        {
            Assert.That(walked, Has.Count.EqualTo(100));
            Assert.That(tooBig, Is.LessThanOrEqualTo(3), "25 -> 12 -> 6 -> 3 once");
            Assert.That(_responder.Requests.Count, Is.LessThanOrEqualTo(3 + 100 / 3 + 2));
        });
    }

    [TestCase(SnmpVersion.V2c)]
    [TestCase(SnmpVersion.V1)]
    public async Task Walk_detects_an_agent_that_answers_the_same_oid(SnmpVersion version)
    {
        // A broken agent: GETNEXT/GETBULK of X answers X itself, forever.
        _responder.Override = (request, _) =>
            [TestResponder.ResponseWithId(request, request.Pdu.RequestId, [.. request.Pdu.Varbinds.Select(v => new Varbind(v.Oid == System ? System.Append(1, 0) : v.Oid, SnmpValue.Integer32(1)))])];
        await AssertWalkFailsQuickly(version);
    }

    [TestCase(SnmpVersion.V2c)]
    [TestCase(SnmpVersion.V1)]
    public async Task Walk_detects_an_agent_that_loops_back(SnmpVersion version)
    {
        // Answers rise through sysDescr..sysServices and then jump back to sysDescr: a cycle.
        _responder.Override = (request, _) =>
        {
            ObjectIdentifier asked = request.Pdu.Varbinds[0].Oid;
            uint next = asked.Length == 9 && asked[7] < 7 ? asked[7] + 1 : 1;
            int count = request.Pdu.Type == PduType.GetBulkRequest ? 3 : 1;
            var varbinds = new List<Varbind>();
            for (int i = 0; i < count; i++)
            {
                varbinds.Add(new Varbind(System.Append(next, 0), SnmpValue.Integer32((int)next)));
                next = next < 7 ? next + 1 : 1;
            }

            return [TestResponder.ResponseWithId(request, request.Pdu.RequestId, varbinds)];
        };
        await AssertWalkFailsQuickly(version);
    }

    [Test]
    public async Task Walk_detects_a_repeat_inside_one_GETBULK_answer()
    {
        _responder.Override = (request, _) => [TestResponder.ResponseWithId(request, request.Pdu.RequestId,
            [new Varbind(System.Append(1, 0), SnmpValue.Integer32(1)), new Varbind(System.Append(2, 0), SnmpValue.Integer32(2)), new Varbind(System.Append(2, 0), SnmpValue.Integer32(2))])];
        var walked = new List<Varbind>();
        Assert.ThrowsAsync<SnmpWalkException>(async () =>
        {
            await foreach (Varbind varbind in _client.WalkAsync(Target(), System))
            {
                walked.Add(varbind);
            }
        });
        Assert.That(walked.Select(v => v.Oid), Is.EqualTo(new[] { System.Append(1, 0), System.Append(2, 0) }), "what was read before the loop is kept");
        await Task.CompletedTask;
    }

    [Test]
    public async Task Walk_of_an_agent_inventing_oids_is_bounded()
    {
        // Ever-increasing OIDs never end on their own: MaxVarbinds bounds the walk.
        _responder.Override = (request, _) =>
        {
            ObjectIdentifier asked = request.Pdu.Varbinds[0].Oid;
            return [TestResponder.ResponseWithId(request, request.Pdu.RequestId, [new Varbind(asked.Append(1), SnmpValue.Integer32(1))])];
        };
        Assert.ThrowsAsync<SnmpWalkException>(async () => await Collect(_client.WalkAsync(Target(), System, new WalkOptions { MaxVarbinds = 100 })));
        Assert.That(_responder.RequestsReceived, Is.LessThanOrEqualTo(101));
        await Task.CompletedTask;
    }

    private async Task AssertWalkFailsQuickly(SnmpVersion version)
    {
        // Quickly means on the bad answer, not after timeouts: said by the error and the request count, not
        // by the clock (a loaded machine may be slow). The guard only ends a hang.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = Assert.ThrowsAsync<SnmpWalkException>(async () => await Collect(_client.WalkAsync(Target(version), System, cancellationToken: guard.Token)));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("not increasing"));
            Assert.That(_responder.RequestsReceived, Is.LessThanOrEqualTo(10));
        });
        await Task.CompletedTask;
    }

    private static async Task<List<Varbind>> Collect(IAsyncEnumerable<Varbind> walk)
    {
        var list = new List<Varbind>();
        await foreach (Varbind varbind in walk)
        {
            list.Add(varbind);
        }

        return list;
    }

    private SnmpTarget Target(SnmpVersion version = SnmpVersion.V2c) => _responder.Target(version);
}
