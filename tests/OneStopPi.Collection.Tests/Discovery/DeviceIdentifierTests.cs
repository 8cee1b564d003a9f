using System.Net;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Collection.Discovery;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Tests.Discovery;

/// <summary>The identify pass for one address: which credentials it tries, and what it concludes (a fake GET).</summary>
public sealed class DeviceIdentifierTests
{
    private static readonly IPAddress Address = IPAddress.Parse("198.19.0.7");
    private static readonly SnmpCredentials Wrong = new CommunityCredentials(SnmpVersion.V2c, "wrong");
    private static readonly SnmpCredentials Right = new CommunityCredentials(SnmpVersion.V2c, "right");

    [Test]
    public async Task A_silent_address_costs_one_credential_and_is_not_listed()
    {
        var getter = new FakeGetter();
        DiscoveredDevice? device = await Identifier(getter, new FakeLivenessWire(), [Wrong, Right]).IdentifyAsync(Address, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(device, Is.Null);
            Assert.That(getter.Asked, Is.EqualTo(new[] { "wrong" }), "no sign of a host: no point in another timeout per credential");
        });
    }

    [Test]
    public async Task A_host_that_answered_ping_is_asked_with_each_credential_until_one_answers()
    {
        var getter = new FakeGetter { Answers = { ["right"] = PrinterAnswer } };
        var wire = new FakeLivenessWire();
        wire.AnswerEcho(Address);

        DiscoveredDevice? device = await Identifier(getter, wire, [Wrong, Right]).IdentifyAsync(Address, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(getter.Asked, Is.EqualTo(new[] { "wrong", "right" }));
            Assert.That(device!.Printer, Is.True);
            Assert.That(device.Reason, Is.EqualTo("Printer-MIB answers"));
            Assert.That(device.Serial, Is.EqualTo("VNCRC48198"), "from sysDescr");
            Assert.That(device.CredentialIndex, Is.EqualTo(1));
            Assert.That(device.Icmp, Is.True);
            Assert.That(device.Snmp, Is.True);
        });
    }

    [Test]
    public async Task The_credential_that_worked_last_time_is_tried_first()
    {
        var getter = new FakeGetter { Answers = { ["right"] = PrinterAnswer } };
        var wire = new FakeLivenessWire();
        wire.AnswerSnmp(Address);
        var options = new DiscoveryOptions { PreferredCredential = _ => 1 };

        DiscoveredDevice? device = await Identifier(getter, wire, [Wrong, Right], options).IdentifyAsync(Address, CancellationToken.None);

        Assert.That(getter.Asked, Is.EqualTo(new[] { "right" }));
        Assert.That(device!.CredentialIndex, Is.EqualTo(1));
    }

    [Test]
    public async Task An_on_link_host_whose_neighbour_resolved_is_asked_with_the_next_credential()
    {
        var getter = new FakeGetter { Answers = { ["right"] = PrinterAnswer } };
        LocalSubnet lan = LocalSubnet.Of("lan0", IPAddress.Parse("198.19.0.1"), 24, needsNeighbour: true, interfaceIndex: 3, [2, 0, 0, 0, 0, 1]);
        var time = new FakeTimeProvider();
        var identifier = new DeviceIdentifier(getter, new FakeLivenessWire(), new NeighbourSnapshot(new FakeNeighbourTable(Address.ToString()), time), null,
            [lan], new CredentialPlan([Wrong, Right]), new DiscoveryOptions());

        DiscoveredDevice? device = await identifier.IdentifyAsync(Address, CancellationToken.None);

        Assert.That(getter.Asked, Is.EqualTo(new[] { "wrong", "right" }), "its ARP answer says a host is there");
        Assert.That(device!.Printer, Is.True);
    }

    [Test]
    public async Task An_snmpv3_refusal_is_a_live_snmp_host_with_the_reason()
    {
        var user = new UsmCredentials("nobody");
        var getter = new FakeGetter();
        getter.Refusals["nobody"] = SnmpReportKind.UnknownUserName;

        DiscoveredDevice? device = await Identifier(getter, new FakeLivenessWire(), [user]).IdentifyAsync(Address, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(device!.Snmp, Is.True);
            Assert.That(device.Printer, Is.False);
            Assert.That(device.V3Refusal, Does.StartWith("SNMPv3 agent refused credential 1: "));
            Assert.That(device.Reason, Is.EqualTo(device.V3Refusal));
        });
    }

    [Test]
    public async Task A_host_that_answered_ping_only_says_so()
    {
        var wire = new FakeLivenessWire();
        wire.AnswerEcho(Address);
        DiscoveredDevice? device = await Identifier(new FakeGetter(), wire, [Right]).IdentifyAsync(Address, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(device!.Snmp, Is.False);
            Assert.That(device.Reason, Is.EqualTo("answers ping only, no SNMP answer with the site's credentials"));
        });
    }

    private static readonly IReadOnlyList<Varbind> PrinterAnswer =
    [
        new("1.3.6.1.2.1.1.1.0", SnmpValue.OctetString("HP ETHERNET MULTI-ENVIRONMENT,SN:VNCRC48198,FN:4Q8")),
        new("1.3.6.1.2.1.43.10.2.1.4.1.1", SnmpValue.Counter32(12345)),
    ];

    private static DeviceIdentifier Identifier(FakeGetter getter, FakeLivenessWire wire, SnmpCredentials[] credentials, DiscoveryOptions? options = null) =>
        new(getter, wire, new NeighbourSnapshot(new FakeNeighbourTable(), new FakeTimeProvider()), null, [], new CredentialPlan(credentials), options ?? new DiscoveryOptions());

    /// <summary>Answers a GET by the credential's community (or user): a set answer, an SNMPv3 report, or silence.</summary>
    private sealed class FakeGetter : IIdentityGetter
    {
        public Dictionary<string, IReadOnlyList<Varbind>> Answers { get; } = [];

        public Dictionary<string, SnmpReportKind> Refusals { get; } = [];

        public List<string> Asked { get; } = [];

        public ValueTask<IReadOnlyList<Varbind>> GetAsync(SnmpTarget target, IReadOnlyList<ObjectIdentifier> oids, CancellationToken cancellationToken)
        {
            string name = target.Credentials switch
            {
                CommunityCredentials c => c.Community,
                UsmCredentials u => u.UserName,
                _ => throw new ArgumentException("unknown credentials"),
            };
            Asked.Add(name);
            if (Refusals.TryGetValue(name, out SnmpReportKind kind))
            {
                throw new SnmpReportException(target.EndPoint, kind, "1.3.6.1.6.3.15.1.1.3.0");
            }

            return Answers.TryGetValue(name, out IReadOnlyList<Varbind>? answer)
                ? ValueTask.FromResult(answer)
                : throw new SnmpTimeoutException(target.EndPoint, 1, 1, TimeSpan.FromSeconds(1));
        }

        public bool HasDiscoveredEngine(IPEndPoint endPoint) => false;
    }
}
