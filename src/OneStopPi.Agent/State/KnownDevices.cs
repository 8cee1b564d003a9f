namespace OneStopPi.Agent.State;

/// <summary>A printer found by the last meter scan, and which credential it answered to.</summary>
public sealed record KnownDevice(string Ip, int Port, int CredentialIndex, string? Vendor, string? Serial, string? Mac, DateTimeOffset LastSeen);

/// <summary>The devices the status scan reads between meter scans (state/devices.json).</summary>
public sealed record KnownDeviceList(IReadOnlyList<KnownDevice> Devices);
