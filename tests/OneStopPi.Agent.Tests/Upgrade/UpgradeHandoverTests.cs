using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Upgrade;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Upgrade;

/// <summary>
/// The agent's half of an upgrade: a good release is handed to the helper (package, signature, then the
/// request); a bad signature, a wrong hash, a wrong architecture, a downgrade are refused with nothing
/// handed over. Real .debs (dpkg-deb), real signatures, the real PortalClient over an in-memory portal.
/// </summary>
public sealed class UpgradeHandoverTests
{
    private const string Running = "0.1.0";
    private const string Architecture = "arm64";
    private DirectoryInfo _directory = null!;
    private FakePortal _portal = null!;
    private HttpClient _http = null!;
    private ReleaseKeyPair _key = null!;
    private UpgradePaths _paths = null!;
    private UpgradeHandover _handover = null!;
    private PortalSession _session = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("osp-handover-");
        _portal = new FakePortal();
        _http = new HttpClient(_portal);
        _key = new ReleaseKeyPair();
        string state = Directory.CreateDirectory(Path.Combine(_directory.FullName, "state")).FullName;
        _paths = new UpgradePaths(state, Path.Combine(_directory.FullName, "helper"), _key.WritePublicKey(_directory.FullName));
        _handover = new UpgradeHandover(new PortalClient(_http), _paths, new DpkgPackageInspector(), new AgentVersion(Running),
            NullLogger<UpgradeHandover>.Instance, Architecture);
        _session = new PortalSession(FakePortal.Url, Guid.NewGuid(), "agent-token");
    }

    [TearDown]
    public void TearDown()
    {
        _http.Dispose();
        _portal.Dispose();
        _key.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>Uploads a package to the fake portal and writes the command's parameter for it (what the real portal does).</summary>
    private string Release(string version, byte[] deb, byte[]? signature = null, string architecture = Architecture, string? sha256 = null, bool allowDowngrade = false,
        long? size = null)
    {
        _portal.AddPackage(version, architecture, deb);
        var parameter = new UpgradeParameter(version, allowDowngrade,
            [new UpgradePackage(architecture, size ?? deb.Length, sha256 ?? Convert.ToHexStringLower(SHA256.HashData(deb)), Convert.ToBase64String(signature ?? _key.Sign(deb)))]);
        return JsonSerializer.Serialize(parameter, ContractsJsonContext.Default.UpgradeParameter);
    }

    private void AssertNothingHandedOver()
    {
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(_paths.Request), Is.False, "no request for the helper");
            Assert.That(File.Exists(_paths.Package), Is.False, "no package left for the helper");
            Assert.That(Directory.Exists(_paths.HandoverDirectory) ? Directory.GetFiles(_paths.HandoverDirectory) : [], Is.Empty, "no leftovers");
        });
    }

    [Test]
    public async Task A_signed_newer_release_for_this_architecture_is_handed_over_package_signature_and_request()
    {
        byte[] deb = DebBuilder.Build("0.2.0", Architecture);
        byte[] signature = _key.Sign(deb);

        string? refusal = await _handover.HandOverAsync(_session, 41, Release("0.2.0", deb, signature), CancellationToken.None);

        Assert.That(refusal, Is.Null);
        var request = JsonSerializer.Deserialize(File.ReadAllBytes(_paths.Request), UpgradeJsonContext.Default.UpgradeRequest)!;
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllBytes(_paths.Package), Is.EqualTo(deb));
            Assert.That(File.ReadAllBytes(_paths.Signature), Is.EqualTo(signature));
            Assert.That(request, Is.EqualTo(new UpgradeRequest(41, "0.2.0", Architecture, false, deb.Length, Convert.ToHexStringLower(SHA256.HashData(deb)), Running)));
            Assert.That(_handover.ProgressOf(41), Is.EqualTo(UpgradeProgress.InProgress));
            Assert.That(Directory.GetFiles(_paths.HandoverDirectory).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "package.deb", "package.deb.sig", "request.json" }));
        });
    }

    [Test]
    public async Task A_package_signed_with_another_key_is_refused_and_nothing_is_handed_over()
    {
        byte[] deb = DebBuilder.Build("0.2.0", Architecture);
        using var stranger = new ReleaseKeyPair();

        string? refusal = await _handover.HandOverAsync(_session, 42, Release("0.2.0", deb, stranger.Sign(deb)), CancellationToken.None);

        Assert.That(refusal, Does.StartWith("refused: the package's signature does not match the release key"));
        AssertNothingHandedOver();
    }

    [Test]
    public async Task A_package_whose_hash_differs_from_the_command_is_refused_and_nothing_is_handed_over()
    {
        byte[] deb = DebBuilder.Build("0.2.0", Architecture);
        byte[] other = DebBuilder.Build("0.2.1", Architecture);

        string? refusal = await _handover.HandOverAsync(_session, 43, Release("0.2.0", deb, sha256: Convert.ToHexStringLower(SHA256.HashData(other))), CancellationToken.None);

        Assert.That(refusal, Does.StartWith("refused: the package's SHA-256 is"));
        AssertNothingHandedOver();
    }

    [Test]
    public async Task A_package_longer_than_the_command_says_is_refused_while_downloading()
    {
        byte[] deb = DebBuilder.Build("0.2.0", Architecture);

        string? refusal = await _handover.HandOverAsync(_session, 44, Release("0.2.0", deb, size: deb.Length - 10), CancellationToken.None);

        Assert.That(refusal, Does.StartWith("refused: the package could not be downloaded").And.Contain("bytes"));
        AssertNothingHandedOver();
    }

    [Test]
    public async Task A_signed_package_built_for_another_architecture_is_refused_and_nothing_is_handed_over()
    {
        // Signed and listed under arm64 by mistake, but built for amd64: dpkg would refuse it on the box.
        byte[] deb = DebBuilder.Build("0.2.0", "amd64");

        string? refusal = await _handover.HandOverAsync(_session, 45, Release("0.2.0", deb), CancellationToken.None);

        Assert.That(refusal, Is.EqualTo("refused: the package is built for amd64, this agent runs on arm64"));
        AssertNothingHandedOver();
    }

    [Test]
    public async Task A_release_without_a_package_for_this_architecture_is_refused_without_a_download()
    {
        byte[] deb = DebBuilder.Build("0.2.0", "amd64");

        string? refusal = await _handover.HandOverAsync(_session, 46, Release("0.2.0", deb, architecture: "amd64"), CancellationToken.None);

        Assert.That(refusal, Does.StartWith("refused: release 0.2.0 has no package for this agent's architecture arm64"));
        Assert.That(_portal.Downloads, Is.Zero);
        AssertNothingHandedOver();
    }

    [Test]
    public async Task A_downgrade_is_refused_unless_the_command_allows_it()
    {
        byte[] deb = DebBuilder.Build("0.0.9", Architecture);

        string? refusal = await _handover.HandOverAsync(_session, 47, Release("0.0.9", deb), CancellationToken.None);
        Assert.That(refusal, Is.EqualTo("refused: 0.0.9 is older than the running 0.1.0 (queue it with allowDowngrade to go back)"));
        Assert.That(_portal.Downloads, Is.Zero);
        AssertNothingHandedOver();

        Assert.That(await _handover.HandOverAsync(_session, 48, Release("0.0.9", deb, allowDowngrade: true), CancellationToken.None), Is.Null);
        Assert.That(_handover.ProgressOf(48), Is.EqualTo(UpgradeProgress.InProgress));
    }

    [Test]
    public async Task A_package_whose_version_differs_from_the_command_is_refused()
    {
        byte[] deb = DebBuilder.Build("0.3.0", Architecture);

        string? refusal = await _handover.HandOverAsync(_session, 49, Release("0.2.0", deb), CancellationToken.None);

        Assert.That(refusal, Is.EqualTo("refused: the package holds version 0.3.0, the command says 0.2.0"));
        AssertNothingHandedOver();
    }

    [Test]
    public async Task A_second_upgrade_while_one_is_in_progress_is_refused_and_the_first_stays()
    {
        byte[] deb = DebBuilder.Build("0.2.0", Architecture);
        Assert.That(await _handover.HandOverAsync(_session, 50, Release("0.2.0", deb), CancellationToken.None), Is.Null);
        byte[] request = File.ReadAllBytes(_paths.Request);

        string? refusal = await _handover.HandOverAsync(_session, 51, Release("0.2.0", deb), CancellationToken.None);

        Assert.That(refusal, Is.EqualTo("refused: another upgrade (command 50, to 0.2.0) is in progress"));
        Assert.That(File.ReadAllBytes(_paths.Request), Is.EqualTo(request));
        Assert.That(File.ReadAllBytes(_paths.Package), Is.EqualTo(deb));
    }

    [Test]
    public async Task Without_a_readable_release_key_every_upgrade_is_refused()
    {
        byte[] deb = DebBuilder.Build("0.2.0", Architecture);
        File.WriteAllText(_paths.ReleaseKey, "not a key");

        string? refusal = await _handover.HandOverAsync(_session, 52, Release("0.2.0", deb), CancellationToken.None);

        Assert.That(refusal, Does.StartWith("refused: the release key").And.Contain("is not an EC public key"));
        AssertNothingHandedOver();
    }
}
