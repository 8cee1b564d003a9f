using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// A process this test started (<c>dotnet some.dll …</c>): its output is collected line by line, and it
/// is stopped by its own PID only — SIGTERM through kill(1), or SIGKILL — never by name.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _exited.Task.IsCompleted;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything written to standard output and error so far.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static ChildProcess StartDotnet(string name, string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment,
        string? workingDirectory = null) =>
        Start(name, "dotnet", [dll, .. arguments], environment, workingDirectory);

    /// <summary>Any executable (e.g. qemu-aarch64-static with the arm64 agent), with the same clean environment.</summary>
    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A clean slate: nothing of the test runner's systemd or agent settings leaks into the child.
        foreach (string inherited in new[] { "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "STATE_DIRECTORY", "LOGS_DIRECTORY", "CONFIGURATION_DIRECTORY" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string key, string? value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process, name);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Exited += (_, _) => child._exited.TrySetResult();
        if (!process.Start())
        {
            throw new InvalidOperationException($"cannot start {name}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until the output has a line matching <paramref name="pattern"/>; returns the match.</summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan timeout, int occurrences = 1)
    {
        timeout = Patience.Stretch(timeout);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            MatchCollection matches = pattern.Matches(Output);
            if (matches.Count >= occurrences)
            {
                return matches[occurrences - 1];
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"{Name} (pid {Pid}) wrote no '{pattern}' (x{occurrences}) in {timeout}{(HasExited ? $"; it exited with {ExitCode}" : "")}. Output:\n{Tail()}");
            }

            if (HasExited && pattern.Matches(Output).Count < occurrences)
            {
                // Let the last lines arrive, then give up.
                await Task.Delay(200).ConfigureAwait(false);
                if (pattern.Matches(Output).Count < occurrences)
                {
                    throw new InvalidOperationException($"{Name} (pid {Pid}) exited with {ExitCode} before writing '{pattern}'. Output:\n{Tail()}");
                }
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public Task<Match> WaitForOutputAsync(string text, TimeSpan timeout) => WaitForOutputAsync(new Regex(Regex.Escape(text)), timeout);

    /// <summary>Asks the process to stop (SIGTERM, as systemd does) and waits for it to exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!HasExited)
        {
            ProcessResult kill = await ExternalProcess.RunAsync("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            if (kill.ExitCode != 0 && !HasExited)
            {
                throw new InvalidOperationException($"kill -TERM {Pid} failed: {kill}");
            }
        }

        return await WaitForExitAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>SIGKILL: no chance to clean up, like a power cut for everything not yet on disk.</summary>
    public async Task KillAsync()
    {
        if (!HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: false);
            }
            catch (InvalidOperationException)
            {
                // exited in between
            }
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        timeout = Patience.Stretch(timeout);
        try
        {
            await _exited.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} (pid {Pid}) did not exit within {timeout}. Output:\n{Tail()}");
        }

        // Exited fires before the redirected streams are drained.
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>The last lines of the output, for failure messages.</summary>
    public string Tail(int lines = 60)
    {
        string[] all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Append(line).Append('\n');
        }
    }
}
