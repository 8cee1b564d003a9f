using System.Globalization;

namespace OneStopPi.Agent.Upgrade;

/// <summary>
/// Where the upgrade's files live. The agent's side is upgrade/ in its state directory (with
/// DynamicUser=yes, /var/lib/private/onestoppi, reached through the /var/lib/onestoppi link); the helper's
/// side is its own directory, root's only, which the unprivileged agent cannot touch.
/// </summary>
/// <param name="ImagePackagesDirectory">Packages a system image ships beside what it installed (image-build/build): the
/// rollback target of the first upgrade on a box that has neither a kept package nor dpkg-repack.</param>
public sealed record UpgradePaths(string AgentStateDirectory, string HelperDirectory, string ReleaseKey, string ImagePackagesDirectory = UpgradePaths.DefaultImagePackages)
{
    public const string DefaultAgentState = "/var/lib/onestoppi";
    public const string DefaultHelperDirectory = "/var/lib/onestoppi-upgrade";
    public const string DefaultReleaseKey = "/usr/share/onestoppi/release-key.pem";
    public const string DefaultImagePackages = "/usr/lib/onestoppi-image/packages";

    /// <summary>Overrides the release key's path (tests, a dealer trying a key before packaging it).</summary>
    public const string ReleaseKeyVariable = "ONESTOPPI_RELEASE_KEY";

    public string HandoverDirectory => Path.Combine(AgentStateDirectory, "upgrade");

    /// <summary>Written last, by rename: its appearance starts the helper (systemd/onestoppi-upgrade.path).</summary>
    public string Request => Path.Combine(HandoverDirectory, "request.json");

    /// <summary>The request once the helper took it (by rename: the helper and an agent giving up cannot both have it).</summary>
    public string ClaimedRequest => Path.Combine(HandoverDirectory, "request.claimed.json");

    /// <summary>Where the agent moves a request no helper took in time, before removing it.</summary>
    public string AbandonedRequest => Path.Combine(HandoverDirectory, "request.abandoned.json");

    public string Package => Path.Combine(HandoverDirectory, "package.deb");

    public string Signature => Path.Combine(HandoverDirectory, "package.deb.sig");

    public string PortalContact => Path.Combine(AgentStateDirectory, "portal-contact.json");

    public string Outcome(long commandId) => Path.Combine(HandoverDirectory, $"outcome-{commandId.ToString(CultureInfo.InvariantCulture)}.json");

    public string Journal => Path.Combine(HelperDirectory, "journal.json");

    /// <summary>The helper's own copy of the package it is installing (verified here, not where the agent can change it).</summary>
    public string WorkDirectory => Path.Combine(HelperDirectory, "work");

    /// <summary>A copy of each package installed through the helper: what a rollback reinstalls.</summary>
    public string KeptPackages => Path.Combine(HelperDirectory, "packages");

    public string KeptPackage(string version, string architecture) => Path.Combine(KeptPackages, PackageFileName(version, architecture));

    /// <summary>The image's own copy of the package it was built with (read-only root), under the same name.</summary>
    public string ImagePackage(string version, string architecture) => Path.Combine(ImagePackagesDirectory, PackageFileName(version, architecture));

    private static string PackageFileName(string version, string architecture) => $"onestoppi_{version.Replace(':', '%')}_{architecture}.deb";

    public static string ReleaseKeyFrom(Func<string, string?> getVariable) =>
        getVariable(ReleaseKeyVariable) is { Length: > 0 } path ? path : DefaultReleaseKey;
}
