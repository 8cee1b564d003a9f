using System.Text.RegularExpressions;
using OneStopPi.TestSupport;

namespace OneStopPi.Deploy.Tests;

/// <summary>What deploy/build-deb puts in the package, read back with dpkg-deb, readelf and lintian.</summary>
public sealed partial class PackageContentsTests
{
    [OneTimeSetUp]
    public void RequireTools() => BuildDeb.RequireTools();

    [Test]
    public async Task The_package_holds_the_agent_every_unit_the_settings_the_key_and_the_docs_owned_by_root()
    {
        (string deb, _) = await X64Packages.GetAsync();
        // dpkg-deb -c: "-rwxr-xr-x root/root  23456789 2026-12-07 09:00 ./usr/bin/onestoppi"
        Dictionary<string, (string Mode, string Owner)> entries = (await BuildDeb.ToolAsync("dpkg-deb", "-c", deb))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(f => f[5].TrimStart('.').TrimEnd('/') is { Length: > 0 } p ? p : "/", f => (f[0], f[1]));

        var expected = new Dictionary<string, string>
        {
            ["/usr/bin/onestoppi"] = "-rwxr-xr-x",
            ["/usr/lib/sysctl.d/onestoppi.conf"] = "-rw-r--r--",
            ["/etc/onestoppi/agent.json"] = "-rw-r--r--",
            ["/usr/share/onestoppi/release-key.pem"] = "-rw-r--r--",
            ["/usr/share/doc/onestoppi/copyright"] = "-rw-r--r--",
            ["/usr/share/doc/onestoppi/changelog.gz"] = "-rw-r--r--",
            ["/usr/share/man/man1/onestoppi.1.gz"] = "-rw-r--r--",
            ["/usr/share/lintian/overrides/onestoppi"] = "-rw-r--r--",
        };
        foreach (string unit in Directory.GetFiles(Path.Combine(RepoPaths.Root, "systemd")).Select(Path.GetFileName).OfType<string>()
                     .Where(f => f.EndsWith(".service", StringComparison.Ordinal) || f.EndsWith(".path", StringComparison.Ordinal) || f.EndsWith(".timer", StringComparison.Ordinal)))
        {
            expected[$"/lib/systemd/system/{unit}"] = "-rw-r--r--";
        }

        Assert.Multiple(() =>
        {
            foreach ((string path, string mode) in expected)
            {
                Assert.That(entries.TryGetValue(path, out var entry), Is.True, $"{path} is not in the package");
                Assert.That(entry.Mode, Is.EqualTo(mode), path);
            }

            Assert.That(entries.Values.Select(e => e.Owner).Distinct(), Is.EqualTo(new[] { "root/root" }), "every entry belongs to root");
            Assert.That(entries.Where(e => e.Value.Mode.StartsWith('d')).Select(e => e.Value.Mode).Distinct(), Is.EqualTo(new[] { "drwxr-xr-x" }), "directories");
        });
    }

    [Test]
    public async Task Depends_are_read_from_the_binary_and_the_control_files_are_consistent()
    {
        (string deb, _) = await X64Packages.GetAsync();
        string binary = await AgentBinaries.GetAsync("linux-x64");
        string depends = (await BuildDeb.ToolAsync("dpkg-deb", "-f", deb, "Depends")).Trim();

        // the highest GLIBC_x.y the binary asks for, found here independently of deploy/deb-depends
        Version glibc = GlibcVersion().Matches(await BuildDeb.ToolAsync("readelf", "-V", "--wide", binary))
            .Select(m => Version.Parse(m.Groups[1].Value)).Max()!;
        Assert.That(depends, Does.Contain($"libc6 (>= {glibc})"), depends);
        Assert.That(depends, Does.Contain("libssl3 | libssl3t64"), "the runtime dlopens OpenSSL 3 for TLS and signatures");
        Assert.That(depends, Does.Not.Contain("libicu"), "InvariantGlobalization: no ICU");
        Assert.That(await BuildDeb.ToolAsync("dpkg-deb", "-f", deb, "Architecture"), Is.EqualTo("amd64\n"));

        string extracted = Directory.CreateTempSubdirectory("osp-deb-x-").FullName;
        try
        {
            await BuildDeb.ToolAsync("dpkg-deb", "-R", deb, extracted);
            Assert.That(File.ReadAllText(Path.Combine(extracted, "DEBIAN", "conffiles")), Is.EqualTo("/etc/onestoppi/agent.json\n"));
            // every shipped file but the conffile is in md5sums, and each sum is right
            string[] sums = File.ReadAllLines(Path.Combine(extracted, "DEBIAN", "md5sums"));
            Assert.That(sums.Any(l => l.EndsWith("  usr/bin/onestoppi", StringComparison.Ordinal)), Is.True);
            Assert.That(sums.Any(l => l.Contains(" etc/", StringComparison.Ordinal)), Is.False, "conffiles are not in md5sums");
            ProcessResult check = await ExternalProcess.RunAsync("md5sum", ["--check", "--quiet", "DEBIAN/md5sums"], workingDirectory: extracted);
            Assert.That(check.ExitCode, Is.Zero, check.ToString());
            int shipped = Directory.GetFiles(extracted, "*", SearchOption.AllDirectories)
                .Count(f => !f.StartsWith(Path.Combine(extracted, "DEBIAN"), StringComparison.Ordinal) && !f.StartsWith(Path.Combine(extracted, "etc"), StringComparison.Ordinal));
            Assert.That(sums, Has.Length.EqualTo(shipped), "md5sums covers every file");

            // the maintainer scripts name the units of systemd/ that have an [Install] section
            string postinst = File.ReadAllText(Path.Combine(extracted, "DEBIAN", "postinst"));
            Assert.That(postinst, Does.Match("UNITS=\"[^\"]*\\bonestoppi\\.service\\b").And.Not.Contain("@ENABLED_UNITS@"));
            string key = File.ReadAllText(Path.Combine(extracted, "usr", "share", "onestoppi", "release-key.pem"));
            Assert.That(key, Does.StartWith("-----BEGIN PUBLIC KEY-----").And.Not.Contain("PRIVATE"));
        }
        finally
        {
            Directory.Delete(extracted, recursive: true);
        }
    }

    [Test]
    public async Task The_same_inputs_give_the_same_bytes()
    {
        (string deb, _) = await X64Packages.GetAsync();
        string binary = await AgentBinaries.GetAsync("linux-x64");
        string again = Directory.CreateTempSubdirectory("osp-deb-again-").FullName;
        try
        {
            string rebuilt = await BuildDeb.PackageAsync(X64Packages.First, "amd64", binary, again);
            Assert.That(BuildDeb.Sha256(rebuilt), Is.EqualTo(BuildDeb.Sha256(deb)));
        }
        finally
        {
            Directory.Delete(again, recursive: true);
        }
    }

    [Test]
    public async Task A_binary_of_the_other_architecture_is_refused()
    {
        string binary = await AgentBinaries.GetAsync("linux-x64");
        string outDirectory = Directory.CreateTempSubdirectory("osp-deb-arch-").FullName;
        ProcessResult result = await BuildDeb.RunAsync("1.0.0", "--arch", "arm64", "--binary", binary, "--out", outDirectory);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StandardError, Does.Contain("is not a AArch64 ELF executable"));
            Assert.That(Directory.GetFiles(outDirectory), Is.Empty);
        });
        Directory.Delete(outDirectory, recursive: true);
    }

    [TestCase("private", "holds a PRIVATE key", TestName = "A private key is refused as the release key")]
    [TestCase("secp384r1", "is not an ECDSA P-256", TestName = "A key on another curve is refused as the release key")]
    public async Task Release_key_checks(string kind, string message)
    {
        string binary = await AgentBinaries.GetAsync("linux-x64");
        string dir = Directory.CreateTempSubdirectory("osp-deb-key-").FullName;
        try
        {
            string key = Path.Combine(dir, "key.pem");
            if (kind == "private")
            {
                await BuildDeb.ToolAsync("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
            }
            else
            {
                await BuildDeb.ToolAsync("openssl", "ecparam", "-name", kind, "-genkey", "-noout", "-out", key + ".private");
                await BuildDeb.ToolAsync("openssl", "ec", "-in", key + ".private", "-pubout", "-out", key);
            }

            ProcessResult result = await BuildDeb.RunAsync("1.0.0", "--arch", "amd64", "--binary", binary, "--release-key", key, "--out", dir);
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StandardError, Does.Contain(message));
            Assert.That(Directory.GetFiles(dir, "*.deb"), Is.Empty);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("amd64", "linux-x64")]
    [TestCase("arm64", "linux-arm64")]
    public async Task Lintian_reports_nothing_but_the_overridden_tags(string arch, string rid)
    {
        Prerequisite.RequireFile("/usr/bin/lintian", "lintian");
        string deb;
        string? outDirectory = null;
        if (arch == "amd64")
        {
            (deb, _) = await X64Packages.GetAsync();
        }
        else
        {
            string binary = await AgentBinaries.GetAsync(rid);
            outDirectory = Directory.CreateTempSubdirectory("osp-deb-lintian-").FullName;
            deb = await BuildDeb.PackageAsync(X64Packages.First, arch, binary, outDirectory);
        }

        try
        {
            // errors, warnings and informational tags: none may show but the overridden ones (which are not listed;
            // --show-overrides would list them and count them as failures)
            ProcessResult result = await ExternalProcess.RunAsync("lintian", ["--fail-on", "error,warning,info", "--display-info", deb],
                timeout: TimeSpan.FromMinutes(10));
            TestContext.Out.WriteLine(result.StandardOutput);
            Assert.That(result.StandardOutput.Split('\n').Where(l => l.Length > 2 && l[1] == ':'), Is.Empty, result.ToString());
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }
        finally
        {
            if (outDirectory is not null)
            {
                Directory.Delete(outDirectory, recursive: true);
            }
        }
    }

    [GeneratedRegex(@"Name: GLIBC_([0-9]+\.[0-9]+(?:\.[0-9]+)?)")]
    private static partial Regex GlibcVersion();
}
