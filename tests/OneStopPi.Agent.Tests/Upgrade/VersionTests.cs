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
    public async Task The_upgrade_helper_is_hidden_from_the_help_and_with_nothing_handed_over_does_nothing()
    {
        DirectoryInfo dir = Directory.CreateTempSubdirectory("osp-helper-cli-");
        try
        {
            ProcessResult help = await Onestoppi.RunAsync("--help");
            ProcessResult idle = await Onestoppi.RunAsync("upgrade-helper", "--agent-state", Path.Combine(dir.FullName, "state"),
                "--helper-dir", Path.Combine(dir.FullName, "helper"), "--release-key", Path.Combine(dir.FullName, "none.pem"));

            Assert.That(help.StandardOutput, Does.Contain("run").And.Not.Contain("upgrade-helper"));
            Assert.That(idle.ExitCode, Is.Zero, idle.ToString());
            Assert.That(idle.StandardError + idle.StandardOutput, Does.Contain("nothing to do"));
            Assert.That(Directory.GetFiles(Path.Combine(dir.FullName, "helper")), Is.Empty, "no journal");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task The_upgrade_helper_refuses_on_a_machine_where_onestoppi_is_not_a_debian_package()
    {
        // The real CLI with the real dpkg-query: this build machine has no onestoppi package, so there is
        // nothing to roll back to and nothing may be installed. (The real install runs in the image's boot test.)
        Prerequisite.RequireFile("/usr/bin/dpkg-query", "dpkg");
        DirectoryInfo dir = Directory.CreateTempSubdirectory("osp-helper-cli-");
        using var key = new ReleaseKeyPair();
        try
        {
            var paths = new OneStopPi.Agent.Upgrade.UpgradePaths(Path.Combine(dir.FullName, "state"), Path.Combine(dir.FullName, "helper"), key.WritePublicKey(dir.FullName));
            byte[] deb = DebBuilder.Build("0.2.0", "amd64");
            Directory.CreateDirectory(paths.HandoverDirectory);
            File.WriteAllBytes(paths.Package, deb);
            File.WriteAllBytes(paths.Signature, key.Sign(deb));
            File.WriteAllBytes(paths.Request, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
                new OneStopPi.Agent.Upgrade.UpgradeRequest(12, "0.2.0", "amd64", false, deb.Length,
                    Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(deb)), "0.1.0"),
                OneStopPi.Agent.Upgrade.UpgradeJsonContext.Default.UpgradeRequest));

            ProcessResult result = await Onestoppi.RunAsync("upgrade-helper", "--agent-state", paths.AgentStateDirectory, "--helper-dir", paths.HelperDirectory,
                "--release-key", paths.ReleaseKey);

            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            string outcome = File.ReadAllText(paths.Outcome(12));
            Assert.That(outcome, Does.Contain("refused by the upgrade helper: onestoppi is not installed as a Debian package here"));
            Assert.That(File.Exists(paths.Request) || File.Exists(paths.ClaimedRequest) || File.Exists(paths.Package), Is.False);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+([-~+.][0-9A-Za-z.+~-]*)?$")]
    private static partial Regex DebianVersionWithCommit();
}
