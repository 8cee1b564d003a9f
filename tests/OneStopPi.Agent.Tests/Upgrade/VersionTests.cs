using System.Text.RegularExpressions;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Tests.Cli;
using OneStopPi.TestSupport;

// Not in the Cli namespace: its set-up starts SNMP peers that these tests do not need.
namespace OneStopPi.Agent.Tests.Upgrade;

/// <summary><c>onestoppi --version</c>: the version the heartbeat, the LAN status and the upgrade compare, plus the build's commit.</summary>
[TestFixture]
public sealed partial class VersionTests
{
    [Test]
    public async Task Version_prints_the_agents_version()
    {
        ProcessResult result = await Onestoppi.RunAsync("--version");

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        string printed = result.StandardOutput.Trim();
        Assert.That(printed, Does.Match(DebianVersionWithCommit()));
        Assert.That(printed.Split('+')[0], Is.EqualTo(AgentVersion.FromAssembly().Value), "what the heartbeat and /status report");
    }

    [Test]
    public async Task The_upgrade_helper_is_a_subcommand_hidden_from_the_help()
    {
        ProcessResult help = await Onestoppi.RunAsync("--help");
        ProcessResult own = await Onestoppi.RunAsync("upgrade-helper", "--help");

        Assert.That(help.StandardOutput, Does.Contain("run").And.Not.Contain("upgrade-helper"));
        Assert.That(own.ExitCode, Is.Zero, own.StandardError);
        Assert.That(own.StandardOutput, Does.Contain("--agent-state").And.Contain("--helper-dir").And.Contain("--release-key").And.Contain("--wait-seconds"));
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+([-~+.][0-9A-Za-z.+~-]*)?$")]
    private static partial Regex DebianVersionWithCommit();
}
