using System.Net;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Simulator.Tests;

/// <summary>SNMPv1 per RFC 3584: Counter64 objects are invisible to GETNEXT and a GET of one is noSuchName.</summary>
[NonParallelizable]
public class V1Tests
{
    private FleetSimulator _fleet = null!;
    private SnmpClient _client = null!;
    private IPEndPoint _jetdirect = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _fleet = Fleet.Start([Fleet.Sample("jetdirect.snmprec")], 230, Loopback.V1Port);
        _jetdirect = _fleet.Devices[0].EndPoint;
        _client = new SnmpClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _client.DisposeAsync();
        await _fleet.DisposeAsync();
    }

    [Test]
    public async Task Getnext_skips_Counter64_records()
    {
        // 1.3.6.1.2.1.4.31.1.1.3.2 (Counter32) is followed by .4.1 and .4.2 (Counter64), then .5.1 (Counter32).
        IReadOnlyList<Varbind> v1 = await _client.GetNextAsync(Fleet.V1(_jetdirect), [ObjectIdentifier.Parse("1.3.6.1.2.1.4.31.1.1.3.2")]);
        IReadOnlyList<Varbind> v2c = await _client.GetNextAsync(Fleet.V2c(_jetdirect), [ObjectIdentifier.Parse("1.3.6.1.2.1.4.31.1.1.3.2")]);

        Assert.That(v1[0].Oid, Is.EqualTo(ObjectIdentifier.Parse("1.3.6.1.2.1.4.31.1.1.5.1")));
        Assert.That(v1[0].Value, Is.EqualTo(SnmpValue.Counter32(4053750095)));
        Assert.That(v2c[0], Is.EqualTo(new Varbind("1.3.6.1.2.1.4.31.1.1.4.1", SnmpValue.Counter64(0))));
    }

    [Test]
    public async Task A_v1_walk_has_every_record_but_the_Counter64_ones()
    {
        var walked = new List<Varbind>();
        await foreach (Varbind varbind in _client.WalkAsync(Fleet.V1(_jetdirect), ObjectIdentifier.Parse("1")))
        {
            walked.Add(varbind);
        }

        Recording recording = _fleet.Devices[0].Recording;
        Assert.That(walked, Is.EqualTo(recording.Varbinds.Where(v => v.Value.Type != SnmpValueType.Counter64).ToList()));
        Assert.That(recording.Varbinds.Count(v => v.Value.Type == SnmpValueType.Counter64), Is.GreaterThan(0));
    }

    [Test]
    public async Task A_get_of_a_Counter64_answers_noSuchName_with_its_index_and_the_request_varbinds()
    {
        ObjectIdentifier[] oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.4.31.1.1.4.2"];
        SnmpResponse response = await _client.SendAsync(Fleet.V1(_jetdirect), id => Pdu.GetRequest(id, oids));

        Assert.That(response.ErrorStatus, Is.EqualTo(SnmpErrorStatus.NoSuchName));
        Assert.That(response.ErrorIndex, Is.EqualTo(2));
        Assert.That(response.Varbinds, Is.EqualTo(oids.Select(Varbind.Request).ToList()));
    }

    [Test]
    public async Task A_get_of_an_absent_object_and_a_getnext_past_the_end_answer_noSuchName()
    {
        SnmpResponse get = await _client.SendAsync(Fleet.V1(_jetdirect), id => Pdu.GetRequest(id, [ObjectIdentifier.Parse("1.3.6.1.2.1.1.1.0"), ObjectIdentifier.Parse("1.3.6.1.9.9")]));
        SnmpResponse next = await _client.SendAsync(Fleet.V1(_jetdirect), id => Pdu.GetNextRequest(id, [ObjectIdentifier.Parse("1.3.6.1.9.9")]));

        Assert.That((get.ErrorStatus, get.ErrorIndex), Is.EqualTo((SnmpErrorStatus.NoSuchName, 2)));
        Assert.That((next.ErrorStatus, next.ErrorIndex), Is.EqualTo((SnmpErrorStatus.NoSuchName, 1)));
    }

    [Test]
    public async Task The_client_turns_v1_noSuchName_into_noSuchObject_and_reads_the_rest()
    {
        IReadOnlyList<Varbind> got = await _client.GetAsync(Fleet.V1(_jetdirect), [ObjectIdentifier.Parse("1.3.6.1.2.1.4.31.1.1.4.2"), ObjectIdentifier.Parse("1.3.6.1.2.1.1.1.0")]);

        Assert.That(got[0].Value, Is.EqualTo(SnmpValue.NoSuchObject));
        Assert.That(got[1].Value.AsText(), Does.StartWith("HP ETHERNET MULTI-ENVIRONMENT"));
    }
}
