using System.Diagnostics;

namespace OneStopPi.Agent.Upgrade;

/// <summary>What a finished program said: its exit code and its output.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error)
{
    /// <summary>The last lines of what it wrote, for a one-line reason.</summary>
    public string Tail => string.Join(" / ", (Error + "\n" + Output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
}

/// <summary>Runs Debian's tools (dpkg, dpkg-deb, systemctl, mount) with a time limit; a tool that is missing is an <see cref="UpgradeToolException"/>.</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan limit, CancellationToken cancellationToken,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? "",
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // dpkg and its maintainer scripts ask nothing and print plain text.
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        start.Environment["LC_ALL"] = "C";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new UpgradeToolException($"{fileName} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new UpgradeToolException($"{fileName} cannot be run: {e.Message}", e);
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(limit);
            Task<string> output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            Task<string> error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                return new ProcessResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new UpgradeToolException($"{fileName} {string.Join(' ', start.ArgumentList)} took longer than {limit.TotalSeconds:0} s and was stopped");
            }
        }
    }
}

/// <summary>A tool of the upgrade (dpkg, systemctl, mount) is missing, failed or hung.</summary>
public sealed class UpgradeToolException : Exception
{
    public UpgradeToolException() { }

    public UpgradeToolException(string message) : base(message) { }

    public UpgradeToolException(string message, Exception innerException) : base(message, innerException) { }
}
