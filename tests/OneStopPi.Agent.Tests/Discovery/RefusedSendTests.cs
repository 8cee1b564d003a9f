using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Discovery;

/// <summary>
/// A sweep of ranges this host may not send to finishes, with the addresses silent and the refusals counted in the log:
/// in a network namespace of the test's own (only loopback up, nothing can leave it), 198.18.200.0/29 has no route
/// (ENETUNREACH) and 198.18.201.0/29 a prohibit route (EACCES, as a firewall's OUTPUT rule gives).
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("Lan")]
public sealed class RefusedSendTests
{
    private const string Namespace = "osp-discovery-refused";

    [OneTimeSetUp]
    public async Task MakeNamespace()
    {
        Prerequisite.RequireRoot("the test makes a network namespace with a prohibit route");
        await IpAsync(allowFailure: true, "netns", "del", Namespace);
        await IpAsync(allowFailure: false, "netns", "add", Namespace);
        await IpAsync(allowFailure: false, "-n", Namespace, "link", "set", "lo", "up");
        await IpAsync(allowFailure: false, "-n", Namespace, "route", "add", "prohibit", "198.18.201.0/29");
    }

    [OneTimeTearDown]
    public async Task RemoveNamespace()
    {
        if (Prerequisite.IsRoot)
        {
            await IpAsync(allowFailure: true, "netns", "del", Namespace);
        }
    }

    [Test]
    public async Task Unroutable_and_prohibited_addresses_are_silent_and_the_sweep_finishes()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "onestoppi.dll");
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        ProcessResult run = await ExternalProcess.RunAsync("ip", ["netns", "exec", Namespace, host, dll, "scan", "198.18.200.0/29", "198.18.201.0/29",
            "--discover-only", "--json", "-", "--verbose", "--timeout", "200"], timeout: LanDiscoveryTests.Limit);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), "the sweep finished and found nothing (the CLI's device-error code): " + run);
            Assert.That(run.StandardOutput.Trim(), Is.EqualTo("[]"), "the sweep's (empty) JSON was written");

            // 12 addresses, an echo and an SNMP datagram each, in the first pass and the retry: all refused at once,
            // none retried 50 times (which took a second per address).
            Assert.That(run.StandardError, Does.Contain("this host refused to send 48 probe datagram(s)"), run.StandardError);
        });
    }

    private static async Task IpAsync(bool allowFailure, params string[] arguments)
    {
        ProcessResult result = await ExternalProcess.RunAsync("ip", arguments, timeout: TimeSpan.FromSeconds(30));
        if (!allowFailure)
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }
    }
}
