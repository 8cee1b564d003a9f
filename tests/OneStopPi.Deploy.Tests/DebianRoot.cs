using System.Security.Cryptography;
using System.Text;
using OneStopPi.TestSupport;

namespace OneStopPi.Deploy.Tests;

/// <summary>
/// A throw-away Debian 12 (bookworm) amd64 root: a tarball made once by mmdebstrap (variant apt plus the
/// packages' dependencies) and cached in artifacts/deb-test, unpacked afresh for each test and entered with
/// chroot. No /proc or /run/systemd/system inside, and a policy-rc.d that refuses every start: no daemon runs,
/// and the maintainer scripts take their chroot path (no sysctl reaches the host's kernel).
/// </summary>
internal sealed class DebianRoot : IDisposable
{
    private DebianRoot(string path) => Path = path;

    public string Path { get; }

    /// <summary>Unpacks a root that has <paramref name="packages"/> installed (the tarball is made on first use: network, ~1-2 min).</summary>
    public static async Task<DebianRoot> CreateAsync(IReadOnlyCollection<string> packages)
    {
        string include = string.Join(',', packages.Order(StringComparer.Ordinal));
        string cache = System.IO.Path.Combine(RepoPaths.Root, "artifacts", "deb-test");
        Directory.CreateDirectory(cache);
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(include)))[..12].ToLowerInvariant();
        string tarball = System.IO.Path.Combine(cache, $"bookworm-amd64-{key}.tar");
        if (!File.Exists(tarball))
        {
            string mirror = Environment.GetEnvironmentVariable("ONESTOPPI_DEBIAN_MIRROR") ?? "http://deb.debian.org/debian";
            string partial = tarball + ".partial";
            ProcessResult made = await ExternalProcess.RunAsync("mmdebstrap",
                ["--quiet", "--variant=apt", "--architectures=amd64", $"--include={include}", "bookworm", partial, mirror],
                timeout: TimeSpan.FromMinutes(15)).ConfigureAwait(false);
            Assert.That(made.ExitCode, Is.Zero, $"mmdebstrap: {made}");
            File.Move(partial, tarball, overwrite: true);
        }

        string path = Directory.CreateTempSubdirectory("osp-deb-root-").FullName;
        var root = new DebianRoot(path);
        ProcessResult unpacked = await ExternalProcess.RunAsync("tar", ["-xf", tarball, "-C", path], timeout: TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        Assert.That(unpacked.ExitCode, Is.Zero, $"tar: {unpacked}");
        string policy = System.IO.Path.Combine(path, "usr", "sbin", "policy-rc.d");
        File.WriteAllText(policy, "#!/bin/sh\n# no daemon starts in this test root\nexit 101\n");
        File.SetUnixFileMode(policy, (UnixFileMode)0b111_101_101);
        return root;
    }

    /// <summary>Copies <paramref name="file"/> into the root's /tmp and returns its path inside the root.</summary>
    public string Put(string file)
    {
        string inside = "/tmp/" + System.IO.Path.GetFileName(file);
        File.Copy(file, Path + inside, overwrite: true);
        return inside;
    }

    /// <summary>Runs a shell command inside the root (stdin empty, so a dpkg question fails instead of waiting).</summary>
    public Task<ProcessResult> RunAsync(string command) =>
        ExternalProcess.RunAsync("chroot", [Path, "/bin/sh", "-c", command],
            new Dictionary<string, string> { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin", ["DEBIAN_FRONTEND"] = "noninteractive", ["LC_ALL"] = "C" },
            TimeSpan.FromMinutes(3));

    /// <summary>Runs a command that must succeed; returns its standard output.</summary>
    public async Task<string> MustAsync(string command)
    {
        ProcessResult result = await RunAsync(command).ConfigureAwait(false);
        Assert.That(result.ExitCode, Is.Zero, $"in the root: {command}\n{result}");
        return result.StandardOutput;
    }

    public void Dispose()
    {
        // nothing is mounted inside, so removing the tree is enough
        Directory.Delete(Path, recursive: true);
    }
}
