namespace OneStopPi.Portal.Hosting;

/// <summary>Files and directories only the portal's user may read (mode 0600 / 0700 on Unix).</summary>
internal static class PrivateFiles
{
    public static FileStream Create(string path, FileMode mode) =>
        OperatingSystem.IsWindows()
            ? new FileStream(path, mode, FileAccess.Write)
            : new FileStream(path, new FileStreamOptions { Mode = mode, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });

    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
