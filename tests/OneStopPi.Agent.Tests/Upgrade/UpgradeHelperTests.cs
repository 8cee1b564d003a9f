using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Agent.Upgrade;

namespace OneStopPi.Agent.Tests.Upgrade;

/// <summary>
/// The privileged helper's state machine with a fake dpkg, a fake agent service and a fake clock: the good
/// path, a release that exits at start, one that starts but never reaches the portal (rolled back after
/// 5 minutes), refusals with nothing installed, and a kill after each journal step (re-run from the
/// persisted journal, as systemd's path unit does after a restart or at boot).
/// </summary>
public sealed class UpgradeHelperTests
{
    private const string Old = "0.1.0";
    private const string New = "0.2.0";
    private const long CommandId = 77;
    private DirectoryInfo _directory = null!;
    private ReleaseKeyPair _key = null!;
    private UpgradePaths _paths = null!;
    private FakeTimeProvider _time = null!;
    private FakeInstaller _installer = null!;
    private FakeAgentService _service = null!;
    private UpgradeStep? _lastStep;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("osp-helper-");
        _key = new ReleaseKeyPair();
        string state = Directory.CreateDirectory(Path.Combine(_directory.FullName, "state")).FullName;
        _paths = new UpgradePaths(state, Path.Combine(_directory.FullName, "helper"), _key.WritePublicKey(_directory.FullName),
            Path.Combine(_directory.FullName, "image-packages"));
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        _installer = new FakeInstaller(Old);
        _service = new FakeAgentService(_installer, _paths, _time);
        _service.RunOld(Old);
    }

    [TearDown]
    public void TearDown()
    {
        _key.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>What the agent writes after its own checks (UpgradeHandover): package, signature, then the request.</summary>
    private void HandOver(string version, byte[]? package = null, byte[]? signature = null, bool allowDowngrade = false, long commandId = CommandId)
    {
        package ??= FakeInstaller.Package(version);
        Directory.CreateDirectory(_paths.HandoverDirectory);
        File.WriteAllBytes(_paths.Package, package);
        File.WriteAllBytes(_paths.Signature, signature ?? _key.Sign(package));
        File.WriteAllBytes(_paths.Request, JsonSerializer.SerializeToUtf8Bytes(
            new UpgradeRequest(commandId, version, "arm64", allowDowngrade, package.Length, Convert.ToHexStringLower(SHA256.HashData(package)), Old),
            UpgradeJsonContext.Default.UpgradeRequest));
    }

    private UpgradeHelper Helper(Action<UpgradeJournal>? afterSave = null) =>
        new(_paths, _installer, _service, _time, NullLogger<UpgradeHelper>.Instance, afterSave: journal =>
        {
            _lastStep = journal.Step;
            afterSave?.Invoke(journal);
        });

    /// <summary>
    /// Runs the helper to its end. The fake clock moves (2 s at a time, 30 simulated minutes at most) only
    /// while the journal says Waiting, the one step that waits on time; the rest takes the real time it takes.
    /// </summary>
    private async Task RunAsync(UpgradeHelper helper)
    {
        Task run = helper.RunAsync(CancellationToken.None);
        var limit = System.Diagnostics.Stopwatch.StartNew();
        for (int advanced = 0; !run.IsCompleted && advanced < 900 && limit.Elapsed < TimeSpan.FromSeconds(120);)
        {
            await Task.WhenAny(run, Task.Delay(5));
            if (!run.IsCompleted && _lastStep == UpgradeStep.Waiting)
            {
                _time.Advance(TimeSpan.FromSeconds(2));
                advanced++;
            }
        }

        Assert.That(run.IsCompleted, Is.True, "the helper did not finish within 30 simulated minutes (or 2 real minutes)");
        await run;
    }

    private UpgradeOutcome Outcome()
    {
        string[] outcomes = Directory.GetFiles(_paths.HandoverDirectory, "outcome-*.json");
        Assert.That(outcomes.Select(Path.GetFileName), Is.EqualTo(new[] { $"outcome-{CommandId}.json" }), "one outcome, for the command");
        return JsonSerializer.Deserialize(File.ReadAllBytes(outcomes[0]), UpgradeJsonContext.Default.UpgradeOutcome)!;
    }

    private void AssertHandoverCleared()
    {
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(_paths.Request) || File.Exists(_paths.ClaimedRequest), Is.False, "the request is gone: the path unit does not start the helper again");
            Assert.That(File.Exists(_paths.Package), Is.False);
            Assert.That(File.Exists(_paths.Journal), Is.False, "the journal is gone once the outcome is written");
            Assert.That(_installer.RootReadOnly, Is.True, "/ is read-only again");
        });
    }

    [Test]
    public async Task A_good_upgrade_installs_restarts_waits_for_the_portal_and_keeps_both_packages()
    {
        HandOver(New);
        DateTimeOffset started = _time.GetUtcNow();

        await RunAsync(Helper());

        UpgradeOutcome outcome = Outcome();
        Assert.Multiple(() =>
        {
            Assert.That(outcome, Is.EqualTo(new UpgradeOutcome(CommandId, true, "upgraded to 0.2.0 (from 0.1.0)", New)));
            Assert.That(_installer.Installs, Is.EqualTo(new[] { New }));
            Assert.That(_installer.WritableDuringInstall, Is.EqualTo(new[] { true }), "/ remounted read-write for the install only");
            Assert.That(_service.Restarts, Is.EqualTo(new[] { New }));
            Assert.That(_service.Running, Is.EqualTo(New));
            Assert.That(_time.GetUtcNow() - started, Is.LessThan(TimeSpan.FromMinutes(1)), "no waiting once the new version reached the portal");
            Assert.That(File.Exists(_paths.KeptPackage(Old, "arm64")), Is.True, "the previous version's package (rebuilt) for a later rollback");
            Assert.That(File.ReadAllBytes(_paths.KeptPackage(New, "arm64")), Is.EqualTo(FakeInstaller.Package(New)), "a copy of what was installed");
        });
        AssertHandoverCleared();
    }

    [Test]
    public async Task A_release_that_exits_at_start_is_rolled_back_at_once()
    {
        _service.ExitAtStart.Add(New);
        HandOver(New);
        DateTimeOffset started = _time.GetUtcNow();

        await RunAsync(Helper());

        UpgradeOutcome outcome = Outcome();
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Succeeded, Is.False);
            Assert.That(outcome.Message, Does.StartWith("rolled back: version 0.2.0 did not start: systemctl restart onestoppi.service failed"));
            Assert.That(outcome.Message, Does.EndWith("; 0.1.0 is installed again"));
            Assert.That(outcome.InstalledVersion, Is.EqualTo(Old));
            Assert.That(_installer.Installs, Is.EqualTo(new[] { New, Old }));
            Assert.That(_service.Restarts, Is.EqualTo(new[] { New, Old }));
            Assert.That(_service.Running, Is.EqualTo(Old));
            Assert.That(_time.GetUtcNow() - started, Is.LessThan(TimeSpan.FromMinutes(1)));
        });
        AssertHandoverCleared();
    }

    [Test]
    public async Task A_release_that_starts_but_never_reaches_the_portal_is_rolled_back_after_five_minutes()
    {
        _service.NeverReachPortal.Add(New);
        HandOver(New);
        DateTimeOffset started = _time.GetUtcNow();

        await RunAsync(Helper());

        UpgradeOutcome outcome = Outcome();
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Message, Is.EqualTo("rolled back: version 0.2.0 did not reach the portal within 5 minutes; 0.1.0 is installed again"));
            Assert.That(outcome.Succeeded, Is.False);
            Assert.That(_installer.Installed, Is.EqualTo(Old));
            Assert.That(_service.Running, Is.EqualTo(Old));
            Assert.That(_time.GetUtcNow() - started, Is.GreaterThanOrEqualTo(TimeSpan.FromMinutes(5)).And.LessThan(TimeSpan.FromMinutes(6)));
        });
        AssertHandoverCleared();
    }

    [Test]
    public async Task A_release_dpkg_refuses_is_rolled_back()
    {
        _installer.FailingInstalls.Add(New);
        HandOver(New);

        await RunAsync(Helper());

        Assert.That(Outcome().Message, Does.StartWith("rolled back: version 0.2.0 did not install: dpkg: error processing archive"));
        Assert.That(_installer.Installed, Is.EqualTo(Old));
        AssertHandoverCleared();
    }

    [TestCase("signature")]
    [TestCase("hash")]
    [TestCase("architecture")]
    [TestCase("downgrade")]
    [TestCase("no rollback copy")]
    public async Task The_helper_checks_again_and_refuses_with_nothing_installed(string fault)
    {
        using var stranger = new ReleaseKeyPair();
        switch (fault)
        {
            case "signature":
                byte[] package = FakeInstaller.Package(New);
                HandOver(New, package, stranger.Sign(package));
                break;
            case "hash":
                HandOver(New);
                File.WriteAllBytes(_paths.Package, FakeInstaller.Package("0.2.1")); // swapped after the agent's check: same length
                break;
            case "architecture":
                HandOver(New, FakeInstaller.Package(New, "amd64"));
                break;
            case "downgrade":
                HandOver("0.0.9");
                break;
            default:
                _installer.CanRepack = false;
                HandOver(New);
                break;
        }

        await RunAsync(Helper());

        UpgradeOutcome outcome = Outcome();
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Succeeded, Is.False);
            Assert.That(outcome.Message, Does.StartWith("refused by the upgrade helper: "));
            Assert.That(outcome.Message, Does.Contain(fault switch
            {
                "signature" => "signature does not match the release key",
                "hash" => "SHA-256",
                "architecture" => "for amd64; expected onestoppi 0.2.0 for arm64",
                "downgrade" => "0.0.9 is not newer than the installed 0.1.0",
                _ => "no package of the installed 0.1.0 to roll back to: install dpkg-repack",
            }));
            Assert.That(_installer.Installs, Is.Empty, "nothing installed");
            Assert.That(_service.Restarts, Is.Empty);
            Assert.That(_installer.Installed, Is.EqualTo(Old));
        });
        AssertHandoverCleared();
    }

    [Test]
    public async Task Without_dpkg_repack_the_image_s_own_package_is_the_rollback_target()
    {
        // The SD-card image: no dpkg-repack, the installed version put there by the image build (not by this helper).
        _installer.CanRepack = false;
        Directory.CreateDirectory(_paths.ImagePackagesDirectory);
        File.WriteAllBytes(_paths.ImagePackage(Old, "arm64"), FakeInstaller.Package(Old));
        _service.ExitAtStart.Add(New);
        HandOver(New);

        await RunAsync(Helper());

        Assert.That(Outcome().Message, Does.StartWith($"rolled back: version {New} did not start"));
        Assert.That(_installer.Installs, Is.EqualTo(new[] { New, Old }));
        Assert.That(File.Exists(_paths.KeptPackage(Old, "arm64")), Is.True, "kept on the data partition for the next upgrade too");
    }

    [Test]
    public async Task An_image_package_of_another_version_is_not_a_rollback_target()
    {
        _installer.CanRepack = false;
        Directory.CreateDirectory(_paths.ImagePackagesDirectory);
        File.WriteAllBytes(_paths.ImagePackage(Old, "arm64"), FakeInstaller.Package("0.0.5"));
        HandOver(New);

        await RunAsync(Helper());

        Assert.That(Outcome().Message, Does.Contain("no package of the installed 0.1.0 to roll back to"));
        Assert.That(_installer.Installs, Is.Empty);
    }

    [Test]
    public async Task A_downgrade_the_command_allows_is_installed_from_the_kept_package()
    {
        HandOver(New);
        await RunAsync(Helper());
        File.Delete(_paths.Outcome(CommandId));

        HandOver(Old, allowDowngrade: true, commandId: CommandId);
        _installer.CanRepack = false; // 0.2.0's package was kept when it was installed

        await RunAsync(Helper());

        Assert.That(Outcome().Message, Is.EqualTo("upgraded to 0.1.0 (from 0.2.0)"));
        Assert.That(_installer.Installs, Is.EqualTo(new[] { New, Old }));
    }

    [Test]
    public async Task Nothing_handed_over_means_nothing_done()
    {
        await RunAsync(Helper());

        Assert.That(_installer.Installs, Is.Empty);
        Assert.That(File.Exists(_paths.Journal), Is.False);
    }

    private static IEnumerable<TestCaseData> KillPoints()
    {
        foreach (UpgradeStep step in new[] { UpgradeStep.Verified, UpgradeStep.SavedPrevious, UpgradeStep.Installing, UpgradeStep.Waiting, UpgradeStep.Done })
        {
            yield return new TestCaseData(false, step).SetName($"Killed after the journal said {step}, a good upgrade still ends upgraded");
        }

        foreach (UpgradeStep step in new[] { UpgradeStep.Installing, UpgradeStep.Waiting, UpgradeStep.RollingBack, UpgradeStep.RolledBack })
        {
            yield return new TestCaseData(true, step).SetName($"Killed after the journal said {step}, a release that never reaches the portal still ends rolled back");
        }
    }

    [TestCaseSource(nameof(KillPoints))]
    public async Task Killed_at_a_journal_step_and_started_again(bool neverReachesPortal, UpgradeStep killAt)
    {
        if (neverReachesPortal)
        {
            _service.NeverReachPortal.Add(New);
        }

        HandOver(New);
        bool killed = false;
        UpgradeHelper first = Helper(journal =>
        {
            if (journal.Step == killAt && !killed)
            {
                killed = true;
                throw new SimulatedKillException($"killed at {killAt}");
            }
        });

        Assert.That(async () => await RunAsync(first), Throws.TypeOf<SimulatedKillException>());
        Assert.That(File.Exists(_paths.Journal), Is.True, "the journal survives the kill");
        Assert.That(Directory.GetFiles(_paths.HandoverDirectory, "outcome-*.json"), Is.Empty, "no outcome before the end");
        // The box after the kill: a kill inside the install window can leave / writable; the agent runs whatever is installed.
        await RunAsync(Helper());

        UpgradeOutcome outcome = Outcome();
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Succeeded, Is.EqualTo(!neverReachesPortal), outcome.Message);
            Assert.That(_installer.Installed, Is.EqualTo(neverReachesPortal ? Old : New));
            Assert.That(_service.Running, Is.EqualTo(neverReachesPortal ? Old : New), "a working agent: the new version, or the previous one again");
            Assert.That(outcome.Message, neverReachesPortal ? Does.StartWith("rolled back: version 0.2.0 did not reach the portal") : Is.EqualTo("upgraded to 0.2.0 (from 0.1.0)"));
        });
        AssertHandoverCleared();
    }

    [Test]
    public async Task Killed_inside_the_read_write_window_the_next_run_installs_again_and_remounts_read_only()
    {
        HandOver(New);
        _installer.KillAfterNextInstall = true;
        Assert.That(async () => await RunAsync(Helper()), Throws.TypeOf<SimulatedKillException>());
        Assert.That(_installer.RootReadOnly, Is.False, "the kill left / writable");
        _installer.Killed = false; // the next start

        await RunAsync(Helper());

        Assert.That(Outcome().Message, Is.EqualTo("upgraded to 0.2.0 (from 0.1.0)"));
        Assert.That(_installer.Installs, Is.EqualTo(new[] { New, New }), "dpkg -i again: it is idempotent");
        AssertHandoverCleared();
    }

    [Test]
    public async Task A_request_taken_by_a_helper_stopped_before_its_first_journal_step_is_taken_up_again()
    {
        HandOver(New);
        File.Move(_paths.Request, _paths.ClaimedRequest); // claimed, then stopped: no journal yet

        await RunAsync(Helper());

        Assert.That(Outcome().Message, Is.EqualTo("upgraded to 0.2.0 (from 0.1.0)"));
        AssertHandoverCleared();
    }

    [Test]
    public async Task A_root_that_will_not_go_read_only_again_does_not_undo_a_good_install()
    {
        _installer.RootBusy = true;
        HandOver(New);

        await RunAsync(Helper());

        Assert.That(Outcome().Message, Is.EqualTo("upgraded to 0.2.0 (from 0.1.0)"));
        Assert.That(_installer.Installs, Is.EqualTo(new[] { New }), "no rollback for a busy /");
        Assert.That(File.Exists(_paths.Journal), Is.False, "finished all the same: the next boot mounts / read-only");
    }
}
