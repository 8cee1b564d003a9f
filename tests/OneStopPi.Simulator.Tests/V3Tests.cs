using System.Net;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Simulator.Tests;

/// <summary>SNMPv3 against the simulator: every privacy family through our client, net-snmp for SHA/AES, and the USM reports.</summary>
[NonParallelizable]
public class V3Tests
{
    private const string User = "fleetuser";
    private const string AuthPass = "authpass123";
    private const string PrivPass = "privpass123";
    private static readonly ObjectIdentifier SysDescr = ObjectIdentifier.Parse("1.3.6.1.2.1.1.1.0");

    private static readonly string JetdirectDescr = Fleet.Sample("jetdirect.snmprec").ValueAt(0).AsText();

    private static FleetSimulator StartWith(SimulatorUser user, TimeProvider? time = null) =>
        Fleet.Start([Fleet.Sample("jetdirect.snmprec")], 240, Loopback.V3Port, new SimulatorOptions { V3User = user, TimeProvider = time ?? TimeProvider.System });

    private static SnmpTarget Target(FleetSimulator fleet, UsmCredentials credentials, int retries = 1) =>
        new(fleet.Devices[0].EndPoint, credentials) { Timeout = TimeSpan.FromSeconds(1), Retries = retries };

    private static IEnumerable<TestCaseData> AuthPrivCombinations()
    {
        yield return new TestCaseData(AuthProtocol.Sha1, PrivProtocol.Aes128).SetName("SHA/AES");
        yield return new TestCaseData(AuthProtocol.Sha256, PrivProtocol.Aes256).SetName("SHA256/AES256 (Blumenthal key extension)");
        yield return new TestCaseData(AuthProtocol.Sha256, PrivProtocol.Aes256Reeder).SetName("SHA256/AES256C (Reeder key extension)");
        yield return new TestCaseData(AuthProtocol.Sha1, PrivProtocol.Aes256).SetName("SHA/AES256 (Blumenthal, extended)");
        yield return new TestCaseData(AuthProtocol.Sha1, PrivProtocol.Aes256Reeder).SetName("SHA/AES256C (Reeder, extended)");
        yield return new TestCaseData(AuthProtocol.Sha1, PrivProtocol.TripleDes).SetName("SHA/3DES");
        yield return new TestCaseData(AuthProtocol.Md5, PrivProtocol.Des).SetName("MD5/DES");
        yield return new TestCaseData(AuthProtocol.Sha512, PrivProtocol.Aes192).SetName("SHA512/AES192");
    }

    [TestCaseSource(nameof(AuthPrivCombinations))]
    public async Task AuthPriv_get_and_walk_through_our_client(AuthProtocol auth, PrivProtocol priv)
    {
        await using FleetSimulator fleet = StartWith(new SimulatorUser(User, auth, AuthPass, priv, PrivPass));
        await using var client = new SnmpClient();
        SnmpTarget target = Target(fleet, new UsmCredentials(User, auth, AuthPass, priv, PrivPass));

        IReadOnlyList<Varbind> got = await client.GetAsync(target, [SysDescr]);
        List<string> walked = await Fleet.WalkAsync(client, target);

        Assert.That(got[0].Value.AsText(), Is.EqualTo(JetdirectDescr));
        Assert.That(walked, Is.EqualTo(Fleet.Expected(fleet.Devices[0].Recording)));
    }

    [Test]
    public async Task Net_snmp_snmpget_reads_with_SHA_AES()
    {
        Peers.Require("snmpget");
        await using FleetSimulator fleet = StartWith(new SimulatorUser(User, AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass));
        string address = $"{fleet.Devices[0].EndPoint.Address}:{Loopback.V3Port}";

        (int code, string output, string error) = Peers.Run("snmpget",
            ["-v3", "-l", "authPriv", "-u", User, "-a", "SHA", "-A", AuthPass, "-x", "AES", "-X", PrivPass, "-On", "-t", "2", "-r", "1", address, "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.4.31.1.1.5.1"],
            TimeSpan.FromSeconds(30));
        (int badCode, string _, string badError) = Peers.Run("snmpget",
            ["-v3", "-l", "authPriv", "-u", User, "-a", "SHA", "-A", "wrongpass99", "-x", "AES", "-X", PrivPass, "-On", "-t", "1", "-r", "0", address, "1.3.6.1.2.1.1.1.0"],
            TimeSpan.FromSeconds(30));

        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain($".1.3.6.1.2.1.1.1.0 = STRING: \"{JetdirectDescr}\""));
        Assert.That(output, Does.Contain(".1.3.6.1.2.1.4.31.1.1.5.1 = Counter32: 4053750095"));
        Assert.That(badCode, Is.Not.Zero);
        Assert.That(badError, Does.Contain("Authentication failure"));
    }

    [Test]
    public async Task A_wrong_authentication_password_gets_a_wrongDigest_report()
    {
        await using FleetSimulator fleet = StartWith(new SimulatorUser(User, AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass));
        await using var client = new SnmpClient();

        var e = Assert.ThrowsAsync<SnmpReportException>(async () =>
            await client.GetAsync(Target(fleet, new UsmCredentials(User, AuthProtocol.Sha1, "not-the-password", PrivProtocol.Aes128, PrivPass)), [SysDescr]));

        Assert.That(e!.Kind, Is.EqualTo(SnmpReportKind.WrongDigest));
        Assert.That(fleet.Devices[0].Engine.Statistics.WrongDigests, Is.EqualTo(1));
    }

    [Test]
    public async Task An_unknown_user_gets_an_unknownUserName_report()
    {
        await using FleetSimulator fleet = StartWith(new SimulatorUser(User, AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass));
        await using var client = new SnmpClient();

        var e = Assert.ThrowsAsync<SnmpReportException>(async () =>
            await client.GetAsync(Target(fleet, new UsmCredentials("someoneelse", AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass)), [SysDescr]));

        Assert.That(e!.Kind, Is.EqualTo(SnmpReportKind.UnknownUserName));
    }

    [Test]
    public async Task A_level_above_the_users_gets_unsupportedSecLevel_and_one_below_authorizationError()
    {
        await using FleetSimulator fleet = StartWith(new SimulatorUser(User, AuthProtocol.Sha256, AuthPass));
        await using var client = new SnmpClient();

        var tooHigh = Assert.ThrowsAsync<SnmpReportException>(async () =>
            await client.GetAsync(Target(fleet, new UsmCredentials(User, AuthProtocol.Sha256, AuthPass, PrivProtocol.Aes128, PrivPass)), [SysDescr]));
        var tooLow = Assert.ThrowsAsync<SnmpErrorStatusException>(async () =>
            await client.GetAsync(Target(fleet, new UsmCredentials(User)), [SysDescr]));
        IReadOnlyList<Varbind> right = await client.GetAsync(Target(fleet, new UsmCredentials(User, AuthProtocol.Sha256, AuthPass)), [SysDescr]);

        Assert.That(tooHigh!.Kind, Is.EqualTo(SnmpReportKind.UnsupportedSecurityLevel));
        Assert.That(tooLow!.Status, Is.EqualTo(SnmpErrorStatus.AuthorizationError));
        Assert.That(right[0].Value.AsText(), Is.EqualTo(JetdirectDescr));
    }

    [Test]
    public async Task A_wrong_privacy_password_is_met_with_silence()
    {
        await using FleetSimulator fleet = StartWith(new SimulatorUser(User, AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass));
        await using var client = new SnmpClient();
        SnmpTarget target = Target(fleet, new UsmCredentials(User, AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, "wrong-privacy")) with
        {
            Timeout = TimeSpan.FromMilliseconds(300),
            Retries = 0,
        };

        Assert.ThrowsAsync<SnmpTimeoutException>(async () => await client.GetAsync(target, [SysDescr]));
        Assert.That(fleet.Devices[0].Engine.Statistics.DecryptionErrors, Is.EqualTo(1));
    }

    [Test]
    public async Task A_manager_whose_clock_is_off_gets_a_signed_notInTimeWindow_report_and_resynchronises()
    {
        var time = new FakeTimeProvider();
        await using FleetSimulator fleet = StartWith(new SimulatorUser(User, AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass), time);
        await using var client = new SnmpClient();
        SnmpTarget target = Target(fleet, new UsmCredentials(User, AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass));
        await client.GetAsync(target, [SysDescr]); // discovery: engine time 0

        time.Advance(TimeSpan.FromMinutes(10)); // the agent's clock runs on; the client still thinks ~0
        IReadOnlyList<Varbind> got = await client.GetAsync(target, [SysDescr]);

        Assert.That(got[0].Value.AsText(), Is.EqualTo(JetdirectDescr));
        Assert.That(fleet.Devices[0].Engine.Statistics.NotInTimeWindows, Is.EqualTo(1));
        Assert.That(fleet.Devices[0].Engine.EngineTime, Is.EqualTo(600));
    }

    [Test]
    public async Task V2c_still_answers_on_a_v3_fleet_and_each_device_has_its_own_engine()
    {
        await using FleetSimulator fleet = Fleet.Start([Fleet.Sample("jetdirect.snmprec")], 240, Loopback.V3Port,
            new SimulatorOptions { V3User = new SimulatorUser(User, AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass), Count = 3 });
        await using var client = new SnmpClient();

        IReadOnlyList<Varbind> v2c = await client.GetAsync(Fleet.V2c(fleet.Devices[0].EndPoint), [SysDescr]);
        foreach (SimulatedDevice device in fleet.Devices)
        {
            await client.GetAsync(new SnmpTarget(device.EndPoint, new UsmCredentials(User, AuthProtocol.Sha1, AuthPass, PrivProtocol.Aes128, PrivPass)), [SysDescr]);
        }

        Assert.That(v2c[0].Value.AsText(), Is.EqualTo(JetdirectDescr));
        Assert.That(fleet.Devices.Select(d => Convert.ToHexString(d.EngineId.Span)).Distinct().Count(), Is.EqualTo(3));
        Assert.That(fleet.Devices.All(d => d.Engine.Statistics.UnknownEngineIds == 1), "one discovery per device");
    }
}
