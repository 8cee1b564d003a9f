namespace OneStopPi.Contracts;

/// <summary>The upgrade command's parameter (JSON), as the portal writes it from an uploaded release: one package per architecture.</summary>
public sealed record UpgradeParameter(string Version, bool AllowDowngrade, IReadOnlyList<UpgradePackage> Packages);

/// <summary>Sha256 in hex; Signature base64 of the DER ECDSA signature.</summary>
public sealed record UpgradePackage(string Architecture, long Size, string Sha256, string Signature);
