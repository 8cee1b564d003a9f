using System.Diagnostics;
using System.Security.Cryptography;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Upgrade;

/// <summary>
/// A release as a test makes it: its own ECDSA P-256 key pair (PEM public key, like deploy/sign-release
/// writes), packages signed with it (DER, as <c>openssl dgst -sha256 -sign</c> writes), and real .debs
/// built with dpkg-deb.
/// </summary>
internal sealed class ReleaseKeyPair : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string PublicPem => _key.ExportSubjectPublicKeyInfoPem();

    public string WritePublicKey(string directory)
    {
        string path = Path.Combine(directory, $"release-key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, PublicPem);
        return path;
    }

    public byte[] Sign(byte[] content) => _key.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public void Dispose() => _key.Dispose();
}

internal static class DebBuilder
{
    /// <summary>A small real .deb: DEBIAN/control with these fields and one file.</summary>
    public static byte[] Build(string version, string architecture, string package = "onestoppi")
    {
        Prerequisite.RequireFile("/usr/bin/dpkg-deb", "dpkg");
        DirectoryInfo root = Directory.CreateTempSubdirectory("osp-deb-");
        try
        {
            string tree = Path.Combine(root.FullName, "tree");
            Directory.CreateDirectory(Path.Combine(tree, "DEBIAN"));
            Directory.CreateDirectory(Path.Combine(tree, "usr", "share", "onestoppi"));
            File.WriteAllText(Path.Combine(tree, "DEBIAN", "control"),
                $"Package: {package}\nVersion: {version}\nArchitecture: {architecture}\nMaintainer: Test <test@example.invalid>\nDescription: upgrade test package\n");
            File.WriteAllText(Path.Combine(tree, "usr", "share", "onestoppi", "version"), version + "\n");
            string deb = Path.Combine(root.FullName, "out.deb");
            var start = new ProcessStartInfo("/usr/bin/dpkg-deb") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string argument in new[] { "--root-owner-group", "-Zgzip", "--build", tree, deb })
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start)!;
            string error = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            Assert.That(process.WaitForExit(60_000), Is.True, "dpkg-deb --build did not finish");
            Assert.That(process.ExitCode, Is.Zero, error);
            return File.ReadAllBytes(deb);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
