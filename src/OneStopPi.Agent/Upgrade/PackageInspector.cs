namespace OneStopPi.Agent.Upgrade;

/// <summary>A .deb's control fields that the upgrade checks.</summary>
public sealed record PackageFields(string? Package, string? Version, string? Architecture);

/// <summary>Reads a .deb's control fields.</summary>
public interface IPackageInspector
{
    /// <exception cref="UpgradeToolException">The file is not a Debian package, or dpkg-deb is missing.</exception>
    Task<PackageFields> ReadFieldsAsync(string packagePath, CancellationToken cancellationToken);
}

/// <summary>
/// <c>dpkg-deb --field</c>: Debian's own reader (control.tar may be xz- or zstd-compressed, which the BCL
/// cannot open). It only reads the file, so the sandboxed agent runs it too.
/// </summary>
public sealed class DpkgPackageInspector : IPackageInspector
{
    public async Task<PackageFields> ReadFieldsAsync(string packagePath, CancellationToken cancellationToken)
    {
        ProcessResult result = await ProcessRunner.RunAsync("dpkg-deb", ["--field", packagePath, "Package", "Version", "Architecture"],
            TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new UpgradeToolException($"dpkg-deb cannot read the package: {result.Tail}");
        }

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in result.Output.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return new PackageFields(fields.GetValueOrDefault("Package"), fields.GetValueOrDefault("Version"), fields.GetValueOrDefault("Architecture"));
    }
}

/// <summary>Debian's names for the architectures the agent is built for.</summary>
public static class DebianArchitecture
{
    public const string PackageName = "onestoppi";

    public static string Current => Of(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture);

    public static string Of(System.Runtime.InteropServices.Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm => "armhf",
        System.Runtime.InteropServices.Architecture.X86 => "i386",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>An architecture name as Debian spells them: lower-case letters and digits, at most 16.</summary>
    public static bool IsValid(string? name) => name is { Length: > 0 and <= 16 } && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));
}
