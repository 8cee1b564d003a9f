namespace OneStopPi.Agent.Commands;

/// <summary>The remote commands the portal can queue (docs/portal-api.md).</summary>
public enum RemoteCommandType
{
    RestartAgent = 1,
    ForceDiscoveryScan = 2,
    UploadLogFiles = 3,
    DeleteLogFiles = 4,
    SetLogMode = 5,
    WalkMib = 6,

    /// <summary>Install a signed release: checked here, installed by the privileged helper (Upgrade/).</summary>
    Upgrade = 7,
}
