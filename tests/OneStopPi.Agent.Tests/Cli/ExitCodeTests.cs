using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Cli;

/// <summary>Failures exit non-zero with one line on stderr that says which failure; command-line mistakes exit 2.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class ExitCodeTests
{
    private const string SysDescr = "1.3.6.1.2.1.1.1.0";
    private const string Auth = "authpass-1234";
    private const string Priv = "privpass-5678";
    private static readonly string Snmpd = $"{CliPeers.Snmpd.Address}:{CliPeers.Snmpd.Port}";
    private static readonly string Silent = CliPeers.Silent.Address.ToString();

    [TestCase("get", TestName = "Timeout_get")]
    [TestCase("walk", TestName = "Timeout_walk")]
    public async Task Timeout(string command)
    {
        ProcessResult result = await Onestoppi.RunAsync(command, Silent, SysDescr, "--timeout", "200", "--retries", "1");
        AssertOneLineFailure(result, 1, "onestoppi: timeout: No answer from 127.0.92.250:161 after 2 attempt(s)");
    }

    [Test]
    public async Task Timeout_with_v3_authPriv_hints_at_the_privacy_password()
    {
        // Engine discovery must be answered before the authPriv request can go silent: 8 s, as 300 ms and then 2 s were missed on a busy machine.
        ProcessResult result = await Onestoppi.RunAsync("get", Snmpd, SysDescr, "-v", "3", "-u", "u_sha_aes128", "-a", "SHA", "-A", Auth, "-x", "AES", "-X", "privpass-WRONG", "--timeout", "8000", "--retries", "0");
        AssertOneLineFailure(result, 1, "onestoppi: timeout:");
        Assert.That(result.StandardError, Does.Contain("privacy password"));
    }

    [TestCase("get", TestName = "Wrong_digest_get")]
    [TestCase("walk", TestName = "Wrong_digest_walk")]
    public async Task Wrong_digest(string command)
    {
        ProcessResult result = await Onestoppi.RunAsync(command, Snmpd, SysDescr, "-v", "3", "-u", "u_sha_aes128", "-a", "SHA", "-A", "authpass-WRONG", "-x", "AES", "-X", Priv);
        AssertOneLineFailure(result, 1, "onestoppi: authentication failure: wrong digest");
    }

    [Test]
    public async Task Unknown_user()
    {
        ProcessResult result = await Onestoppi.RunAsync("get", Snmpd, SysDescr, "-v", "3", "-u", "u_nobody", "-a", "SHA", "-A", Auth);
        AssertOneLineFailure(result, 1, "onestoppi: authentication failure: unknown user");
    }

    public static IEnumerable<TestCaseData> BadArguments()
    {
        yield return new TestCaseData(new object[] { Array.Empty<string>() }).SetName("Bad_arguments_no_command");
        yield return new TestCaseData(new object[] { new string[] { "scan" } }).SetName("Bad_arguments_unknown_command");
        yield return new TestCaseData(new object[] { new string[] { "get" } }).SetName("Bad_arguments_get_without_host");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250" } }).SetName("Bad_arguments_get_without_oid");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", "sysDescr.0" } }).SetName("Bad_arguments_symbolic_oid");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", "3.6.1" } }).SetName("Bad_arguments_oid_with_first_arc_3");
        yield return new TestCaseData(new object[] { new string[] { "walk", "127.0.92.250", "1" } }).SetName("Bad_arguments_oid_of_one_arc");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250:0", SysDescr } }).SetName("Bad_arguments_port_0");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250:70000", SysDescr } }).SetName("Bad_arguments_port_70000");
        yield return new TestCaseData(new object[] { new string[] { "get", "[::1", SysDescr } }).SetName("Bad_arguments_unclosed_bracket");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", SysDescr, "--snmp-version", "4" } }).SetName("Bad_arguments_version_4");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", SysDescr, "--timeout", "abc" } }).SetName("Bad_arguments_timeout_not_a_number");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", SysDescr, "--timeout", "0" } }).SetName("Bad_arguments_timeout_0");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", SysDescr, "--retries", "-1" } }).SetName("Bad_arguments_negative_retries");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", SysDescr, "-v", "3" } }).SetName("Bad_arguments_v3_without_user");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", SysDescr, "-v", "3", "-u", "u", "-a", "SHA1024", "-A", "x" } }).SetName("Bad_arguments_unknown_auth");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", SysDescr, "-v", "3", "-u", "u", "-a", "SHA", "-A", "x", "-x", "ROT13", "-X", "y" } }).SetName("Bad_arguments_unknown_priv");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", SysDescr, "-v", "3", "-u", "u", "-a", "SHA" } }).SetName("Bad_arguments_auth_without_password");
        yield return new TestCaseData(new object[] { new string[] { "get", "127.0.92.250", SysDescr, "-v", "3", "-u", "u", "-x", "AES", "-X", "y" } }).SetName("Bad_arguments_priv_without_auth");
        yield return new TestCaseData(new object[] { new string[] { "walk", "127.0.92.250", "--max-repetitions", "0" } }).SetName("Bad_arguments_max_repetitions_0");
    }

    [TestCaseSource(nameof(BadArguments))]
    public async Task Bad_arguments(string[] arguments)
    {
        ProcessResult result = await Onestoppi.RunAsync(arguments);
        AssertOneLineFailure(result, 2, "onestoppi: ");
    }

    [Test]
    public async Task Help_is_not_an_error()
    {
        ProcessResult result = await Onestoppi.RunAsync("walk", "--help");
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero);
            Assert.That(result.StandardOutput, Does.Contain("--output"));
        });
    }

    private static void AssertOneLineFailure(ProcessResult result, int exitCode, string prefix)
    {
        string[] lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
            Assert.That(lines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.StandardError, Does.StartWith(prefix));
            Assert.That(result.StandardOutput, Is.Empty);
        });
    }
}
