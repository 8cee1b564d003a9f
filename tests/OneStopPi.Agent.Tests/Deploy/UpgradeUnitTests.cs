using System.Diagnostics;
using System.Security.Cryptography;
using OneStopPi.Agent.Upgrade;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Deploy;

/// <summary>
/// The upgrade's deploy side: the path and helper units pass systemd-analyze verify and watch the files the
/// agent and the helper write; the agent's own unit keeps its sandbox; deploy/sign-release's signatures
/// (openssl) are what the agent and the helper verify.
/// </summary>
public sealed class UpgradeUnitTests
{
    private static string Repo(string relative)
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above the test directory");
    }

    private static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(60_000), Is.True, $"{program} did not finish");
        return (process.ExitCode, output);
    }

    [Test]
    public void The_path_and_helper_units_are_valid()
    {
        Prerequisite.RequireFile("/usr/bin/systemd-analyze", "systemd");
        string dir = Directory.CreateTempSubdirectory("osp-upgrade-units-").FullName;
        try
        {
            // verify checks that ExecStart's binary exists; the agent is not installed on a build machine.
            File.WriteAllText(Path.Combine(dir, "onestoppi-upgrade.service"), File.ReadAllText(Repo("systemd/onestoppi-upgrade.service"))
                .Replace("ExecStart=/usr/bin/onestoppi upgrade-helper", "ExecStart=/bin/true upgrade-helper", StringComparison.Ordinal));
            File.Copy(Repo("systemd/onestoppi-upgrade.path"), Path.Combine(dir, "onestoppi-upgrade.path"));

            (int exit, string output) = Run("/usr/bin/systemd-analyze", "verify", Path.Combine(dir, "onestoppi-upgrade.path"), Path.Combine(dir, "onestoppi-upgrade.service"));

            Assert.That(exit, Is.Zero, output);
            Assert.That(output, Does.Not.Contain("Unknown key").And.Not.Contain("Failed"), output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void The_path_unit_watches_the_request_and_the_journal_the_code_writes()
    {
        string path = File.ReadAllText(Repo("systemd/onestoppi-upgrade.path"));
        var agentSide = new UpgradePaths("/var/lib/private/onestoppi", UpgradePaths.DefaultHelperDirectory, UpgradePaths.DefaultReleaseKey);
        var linked = agentSide with { AgentStateDirectory = UpgradePaths.DefaultAgentState };
        Assert.That(path, Does.Contain($"PathExists={agentSide.Request}\n").And.Contain($"PathExists={linked.Request}\n")
            .And.Contain($"PathExists={agentSide.ClaimedRequest}\n").And.Contain($"PathExists={linked.ClaimedRequest}\n")
            .And.Contain($"PathExists={agentSide.Journal}\n").And.Contain("Unit=onestoppi-upgrade.service"));
        string service = File.ReadAllText(Repo("systemd/onestoppi-upgrade.service"));
        Assert.That(service, Does.Contain("Type=oneshot").And.Contain("User=root").And.Contain("StateDirectory=onestoppi-upgrade\n")
            .And.Contain($"ExecStart=/usr/bin/onestoppi upgrade-helper --agent-state {UpgradePaths.DefaultAgentState}\n"));
    }

    [Test]
    public void The_agents_own_unit_keeps_its_sandbox()
    {
        string unit = File.ReadAllText(Repo("systemd/onestoppi.service"));
        Assert.That(unit, Does.Contain("NoNewPrivileges=yes\n").And.Contain("CapabilityBoundingSet=CAP_NET_RAW\n").And.Contain("DynamicUser=yes\n")
            .And.Contain("ProtectSystem=strict\n"));
    }

    [Test]
    public async Task Sign_release_writes_signatures_the_agent_verifies()
    {
        Prerequisite.RequireFile("/usr/bin/openssl", "openssl");
        DirectoryInfo dir = Directory.CreateTempSubdirectory("osp-sign-release-");
        try
        {
            string key = Path.Combine(dir.FullName, "dealer.pem");
            string package = Path.Combine(dir.FullName, "onestoppi_0.2.0_arm64.deb");
            await File.WriteAllBytesAsync(package, RandomNumberGenerator.GetBytes(10_000));
            (int made, string makeOutput) = Run("/bin/sh", Repo("deploy/sign-release"), "--new-key", key);
            Assert.That(made, Is.Zero, makeOutput);
            (int signed, string signOutput) = Run("/bin/sh", Repo("deploy/sign-release"), key, package);
            Assert.That(signed, Is.Zero, signOutput);

            byte[] hash = await ReleaseSignature.HashFileAsync(package, CancellationToken.None);
            byte[] signature = await File.ReadAllBytesAsync(package + ".sig");
            string publicKey = Path.Combine(dir.FullName, "dealer.pub.pem");
            Assert.That(await ReleaseSignature.VerifyAsync(hash, signature, publicKey, CancellationToken.None), Is.True);
            hash[0] ^= 1;
            Assert.That(await ReleaseSignature.VerifyAsync(hash, signature, publicKey, CancellationToken.None), Is.False, "another package's hash");
            Assert.That(Run("/bin/sh", Repo("deploy/sign-release"), "--new-key", key).ExitCode, Is.Not.Zero, "an existing key is never overwritten");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
