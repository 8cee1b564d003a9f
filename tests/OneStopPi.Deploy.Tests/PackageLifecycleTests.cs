using OneStopPi.TestSupport;

namespace OneStopPi.Deploy.Tests;

/// <summary>
/// The package's life on a Debian 12 box, in a throw-away root: install the first version, upgrade to the
/// second, remove, purge. Debian's own tools do the work (dpkg, deb-systemd-helper); the test checks what
/// they leave at each step.
/// </summary>
public sealed class PackageLifecycleTests
{
    private const string Unit = "onestoppi.service";
    private const string WantsLink = "/etc/systemd/system/multi-user.target.wants/onestoppi.service";

    /// <summary>Everything in the root but dpkg's and apt's own bookkeeping, logs and our /tmp copies.</summary>
    private const string ListFiles =
        "find / -xdev \\( -path /proc -o -path /tmp -o -path /var/lib/dpkg -o -path /var/log -o -path /var/cache/debconf \\) -prune -o -print | LC_ALL=C sort";

    /// <summary>
    /// Made by adding the system account, which purge keeps (Debian does not delete system accounts): the
    /// shadow tools' backups of the files they changed, and adduser's lock file.
    /// </summary>
    private static readonly string[] AccountTraces = ["/etc/shadow-", "/etc/gshadow-", "/run/adduser"];

    [Test]
    public async Task Install_upgrade_remove_and_purge_keep_and_then_delete_what_they_should()
    {
        Prerequisite.RequireRoot("chroot into a Debian root and install packages there");
        Prerequisite.RequireFile("/usr/bin/mmdebstrap", "mmdebstrap");
        BuildDeb.RequireTools();
        (string firstDeb, string secondDeb) = await X64Packages.GetAsync();

        // the root has exactly what the package depends on (the first alternative of each)
        string[] depends = (await BuildDeb.ToolAsync("dpkg-deb", "-f", firstDeb, "Depends")).Split(',')
            .Select(d => d.Split('|')[0].Split('(')[0].Trim()).Where(d => d.Length > 0).ToArray();
        using DebianRoot root = await DebianRoot.CreateAsync(depends);
        string first = root.Put(firstDeb);
        string second = root.Put(secondDeb);
        string before = await root.MustAsync(ListFiles);

        // ---- install ----
        await root.MustAsync($"dpkg -i {first} </dev/null");
        Assert.That(await root.MustAsync("dpkg-query -W -f '${Status} ${Version}' onestoppi"), Is.EqualTo($"install ok installed {X64Packages.First}"));
        string listed = await root.MustAsync("dpkg -L onestoppi");
        Assert.That(listed.Split('\n'), Is.SupersetOf(new[]
        {
            "/usr/bin/onestoppi", "/lib/systemd/system/onestoppi.service", "/usr/lib/sysctl.d/onestoppi.conf",
            "/etc/onestoppi/agent.json", "/usr/share/onestoppi/release-key.pem", "/usr/share/doc/onestoppi/copyright",
            "/usr/share/doc/onestoppi/changelog.gz", "/usr/share/man/man1/onestoppi.1.gz",
        }));
        Assert.That(await root.MustAsync(
            "stat -c '%a %U:%G %n' /usr/bin/onestoppi /lib/systemd/system/onestoppi.service /etc/onestoppi /etc/onestoppi/agent.json /usr/share/onestoppi/release-key.pem"),
            Is.EqualTo("""
                755 root:root /usr/bin/onestoppi
                644 root:root /lib/systemd/system/onestoppi.service
                750 onestoppi:onestoppi /etc/onestoppi
                640 onestoppi:onestoppi /etc/onestoppi/agent.json
                644 root:root /usr/share/onestoppi/release-key.pem

                """), "modes and owners: the agent's account owns its settings, nothing else");
        Assert.That(await root.MustAsync($"readlink {WantsLink}"), Is.EqualTo("/lib/systemd/system/onestoppi.service\n"), "enabled on install");
        Assert.That(await root.MustAsync("dpkg-query -W -f '${Conffiles}' onestoppi"), Does.Contain("/etc/onestoppi/agent.json"));
        // the binary runs with no more than the package's Depends installed
        Assert.That(await root.MustAsync("onestoppi --version"), Is.Not.Empty);

        // the box lives: state and a log written, the settings changed (as the LAN setup page does)
        const string settings = "{ \"portalUrl\": \"https://portal.dealer.example/\", \"enrolmentKey\": \"site-key\" }";
        await root.MustAsync(
            "mkdir -p /var/lib/private/onestoppi /var/log/private/onestoppi && ln -s private/onestoppi /var/lib/onestoppi && ln -s private/onestoppi /var/log/onestoppi"
            + " && echo enrolled > /var/lib/onestoppi/enrolment.json && echo line > /var/log/onestoppi/onestoppi-20261207.log"
            + $" && echo '{settings}' > /etc/onestoppi/agent.json");

        // ---- upgrade: no conffile question (stdin is empty: a question would fail dpkg), settings and state kept ----
        ProcessResult upgrade = await root.RunAsync($"dpkg -i {second} </dev/null");
        Assert.That(upgrade.ExitCode, Is.Zero, upgrade.ToString());
        Assert.That(upgrade.StandardOutput + upgrade.StandardError, Does.Not.Contain("Configuration file"));
        Assert.That(await root.MustAsync("dpkg-query -W -f '${Status} ${Version}' onestoppi"), Is.EqualTo($"install ok installed {X64Packages.Second}"));
        Assert.That(await root.MustAsync("cat /etc/onestoppi/agent.json"), Is.EqualTo(settings + "\n"));
        Assert.That(await root.MustAsync("cat /var/lib/onestoppi/enrolment.json /var/log/onestoppi/onestoppi-20261207.log"), Is.EqualTo("enrolled\nline\n"));
        Assert.That(await root.MustAsync($"readlink {WantsLink}"), Is.EqualTo("/lib/systemd/system/onestoppi.service\n"), "still enabled");

        // ---- remove: the program goes, the unit is masked, settings, state and logs stay ----
        await root.MustAsync("dpkg -r onestoppi </dev/null");
        Assert.That(await root.MustAsync("dpkg-query -W -f '${Status}' onestoppi"), Is.EqualTo("deinstall ok config-files"));
        Assert.That(await root.MustAsync("test ! -e /usr/bin/onestoppi && test ! -e /lib/systemd/system/onestoppi.service && echo gone"), Is.EqualTo("gone\n"));
        Assert.That(await root.MustAsync($"readlink /etc/systemd/system/{Unit}"), Is.EqualTo("/dev/null\n"), "masked after remove");
        Assert.That(await root.MustAsync("cat /etc/onestoppi/agent.json /var/lib/onestoppi/enrolment.json"), Is.EqualTo(settings + "\nenrolled\n"));

        // ---- purge: nothing of ours is left ----
        await root.MustAsync("dpkg -P onestoppi </dev/null");
        ProcessResult query = await root.RunAsync("dpkg-query -W -f '${Status}' onestoppi");
        Assert.That(query.StandardOutput, Is.Empty.Or.EqualTo("unknown ok not-installed"), "purged: dpkg has forgotten it");
        string after = await root.MustAsync(ListFiles);
        Assert.That(Lines(after).Except(Lines(before)).Except(AccountTraces), Is.Empty, "files left after purge that were not there before install");
        Assert.That(await root.MustAsync("getent passwd onestoppi | cut -d: -f1,6,7"), Is.EqualTo("onestoppi:/nonexistent:/usr/sbin/nologin\n"),
            "the system account stays, as Debian keeps system accounts");
        Assert.That(Lines(before).Except(Lines(after)), Is.Empty, "files of the base system gone after purge");
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
