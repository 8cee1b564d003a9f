using OneStopPi.Snmp.Security;
using OneStopPi.Snmp.Transport;
using OneStopPi.TestSupport;

namespace OneStopPi.Snmp.Tests.Interop.V3Matrix;

/// <summary>
/// Wrong credentials give the right typed error: snmpd reports a wrong digest and an unknown user
/// (quickly: no timeout involved); a wrong privacy password, and anything wrong on snmpsim, gets
/// silence, so a short timeout.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class V3NegativeTests
{
    private static readonly ObjectIdentifier SysDescr = "1.3.6.1.2.1.1.1.0";
    private static readonly V3Combination ShaAes = V3MatrixCells.Combinations.Single(c => c.User == "u_sha_aes128");
    private static readonly V3Combination Sha512 = V3MatrixCells.Combinations.Single(c => c.User == "u_sha512_none");

    [TestCase("u_sha_aes128")]
    [TestCase("u_sha512_none")]
    [TestCase("u_md5_des")]
    public void Wrong_authentication_password_is_a_WrongDigest_report_from_snmpd(string user)
    {
        V3Combination combination = V3MatrixCells.Combinations.Single(c => c.User == user);
        var target = Target(V3MatrixCells.Snmpd, combination.Credentials(authPassword: "authpass-WRONG"), timeoutMs: 3000);

        var error = Assert.ThrowsAsync<SnmpReportException>(async () => await V3MatrixSetUp.Client.GetAsync(target, [SysDescr]));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Kind, Is.EqualTo(SnmpReportKind.WrongDigest));
            Assert.That(error.ReportOid.ToString(), Does.StartWith("1.3.6.1.6.3.15.1.1.5"));
            Assert.That(error.Target, Is.EqualTo(V3MatrixCells.Snmpd.EndPoint));
        });
    }

    [TestCase(AuthProtocol.None, PrivProtocol.None)]
    [TestCase(AuthProtocol.Sha256, PrivProtocol.None)]
    [TestCase(AuthProtocol.Sha1, PrivProtocol.Aes128)]
    public void Unknown_user_is_an_UnknownUserName_report_from_snmpd(AuthProtocol auth, PrivProtocol priv)
    {
        var credentials = new UsmCredentials("u_nobody", auth, auth == AuthProtocol.None ? null : V3MatrixPeers.AuthPassword, priv,
            priv == PrivProtocol.None ? null : V3MatrixPeers.PrivPassword);
        var error = Assert.ThrowsAsync<SnmpReportException>(async () => await V3MatrixSetUp.Client.GetAsync(Target(V3MatrixCells.Snmpd, credentials, 3000), [SysDescr]));
        Assert.That(error!.Kind, Is.EqualTo(SnmpReportKind.UnknownUserName));
    }

    [Test]
    public void Wrong_privacy_password_is_a_timeout_from_snmpd()
    {
        AssertSilence(V3MatrixCells.Snmpd, ShaAes.Credentials(privPassword: "privpass-WRONG"));
    }

    [Test]
    public void Wrong_AES_key_extension_is_a_timeout_from_snmpd()
    {
        // u_sha_aes256r is a Reeder ("Cisco") user; with SHA-1's 20-octet key the two extensions to 32 octets
        // differ, so asking with Blumenthal's gives another key. (With SHA-256 and up no extension is needed.)
        var credentials = new UsmCredentials("u_sha_aes256r", AuthProtocol.Sha1, V3MatrixPeers.AuthPassword, PrivProtocol.Aes256, V3MatrixPeers.PrivPassword);
        AssertSilence(V3MatrixCells.Snmpd, credentials);
    }

    [Test]
    public void Wrong_privacy_password_is_a_timeout_from_snmpsim()
    {
        AssertSilence(V3MatrixCells.SimulatorSingle(ShaAes), ShaAes.Credentials(privPassword: "privpass-WRONG"));
    }

    [Test]
    public void Wrong_authentication_password_is_a_timeout_from_snmpsim()
    {
        AssertSilence(V3MatrixCells.SimulatorAllUsers, Sha512.Credentials(authPassword: "authpass-WRONG"));
    }

    [Test]
    public void Unknown_context_is_a_timeout_from_snmpd()
    {
        AssertSilence(V3MatrixCells.Snmpd, ShaAes.Credentials(context: "nope"));
    }

    [Test]
    public async Task After_a_failure_the_same_engine_still_answers_the_right_password()
    {
        // Engine discovery and clock are shared per address: a refused request must not spoil them.
        Assert.ThrowsAsync<SnmpReportException>(async () =>
            await V3MatrixSetUp.Client.GetAsync(Target(V3MatrixCells.Snmpd, ShaAes.Credentials(authPassword: "authpass-WRONG"), 3000), [SysDescr]));
        IReadOnlyList<Varbind> varbinds = await V3MatrixSetUp.Client.GetAsync(Target(V3MatrixCells.Snmpd, ShaAes.Credentials(), 3000), [SysDescr]);
        Assert.That(varbinds.Single().Value.AsText(), Does.Contain("SNMPPROBE"));
    }

    private static void AssertSilence(V3Peer peer, UsmCredentials credentials)
    {
        // Engine discovery (answered) plus one attempt that gets no answer; counted in attempts, not timed
        // (a loaded machine may take long).
        var error = Assert.ThrowsAsync<SnmpTimeoutException>(async () => await V3MatrixSetUp.Client.GetAsync(Target(peer, credentials, 500), [SysDescr]));
        Assert.That(error!.Attempts, Is.EqualTo(1));
    }

    private static SnmpTarget Target(V3Peer peer, UsmCredentials credentials, int timeoutMs) =>
        new(peer.EndPoint, credentials) { Timeout = TimeSpan.FromMilliseconds(timeoutMs), Retries = 0 };
}
