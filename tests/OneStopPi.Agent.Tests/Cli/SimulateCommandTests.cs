using System.Diagnostics;
using System.Net;
using OneStopPi.Agent.Cli;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Cli;

/// <summary><c>onestoppi simulate</c>: the map, "ready", answers, and a clean stop on cancellation and SIGTERM (127.0.95.x).</summary>
[NonParallelizable]
public class SimulateCommandTests
{
    private static readonly ObjectIdentifier SysDescr = ObjectIdentifier.Parse("1.3.6.1.2.1.1.1.0");

    [Test]
    public async Task Prints_the_map_then_ready_serves_and_stops_when_cancelled()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        using var stop = new CancellationTokenSource();
        var options = SimulateCommand.BuildOptions("127.0.95.190", 47170, 3, null, null, null);

        Task<int> run = SimulateCommand.RunAsync(new DirectoryInfo(RepoPaths.SampleWalks), options, null, output, errors, stop.Token);
        for (int i = 0; i < 200 && !output.ToString().Contains("ready\n", StringComparison.Ordinal) && !run.IsCompleted; i++)
        {
            await Task.Delay(25);
        }

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("ip\tport\trecording\tengine_id"));
        Assert.That(lines[1], Does.StartWith("127.0.95.190\t47170\tbrother.snmprec\t"));
        Assert.That(lines[3], Does.StartWith("127.0.95.192\t47170\tbrother_dcp-7070dw.snmprec\t"));
        Assert.That(lines[^1], Is.EqualTo("ready"));

        await using (var client = new SnmpClient())
        {
            IReadOnlyList<Varbind> got = await client.GetAsync(
                new SnmpTarget(new IPEndPoint(IPAddress.Parse("127.0.95.190"), 47170), new CommunityCredentials(SnmpVersion.V2c, "public")), [SysDescr]);
            Assert.That(got[0].Value.AsText(), Does.StartWith("Brother NC-8300h"));
        }

        await stop.CancelAsync();
        Assert.That(await run.WaitAsync(TimeSpan.FromSeconds(10)), Is.Zero);
        Assert.That(errors.ToString(), Does.Contain("stopped; 1 datagrams received, 1 answered"));
    }

    [Test]
    public void Command_line_mistakes_are_usage_errors()
    {
        Assert.Throws<CliUsageException>(() => SimulateCommand.BuildOptions("127.0.95.1", 161, 0, null, null, null));
        Assert.Throws<CliUsageException>(() => SimulateCommand.BuildOptions("fe80::1", 161, null, null, null, null));
        Assert.Throws<CliUsageException>(() => SimulateCommand.BuildOptions("127.0.95.1", 70000, null, null, null, null));
        Assert.Throws<CliUsageException>(() => SimulateCommand.BuildOptions("127.0.95.1", 161, null, null, null, -1));
        Assert.Throws<CliUsageException>(() => SimulateCommand.BuildUser(null, "SHA", "authpass123", null, null));
        Assert.Throws<CliUsageException>(() => SimulateCommand.BuildUser("u", "SHA", null, null, null));
        Assert.Throws<CliUsageException>(() => SimulateCommand.BuildUser("u", "WHIRLPOOL", "authpass123", null, null));
        Assert.That(SimulateCommand.BuildUser("u", "SHA256", "authpass123", "AES256C", "privpass123")!.Priv, Is.EqualTo(Snmp.Security.PrivProtocol.Aes256Reeder));
    }

    [Test]
    public async Task The_onestoppi_process_stops_cleanly_on_SIGTERM()
    {
        string agent = Path.Combine(AppContext.BaseDirectory, "onestoppi.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { agent, "simulate", "--walks", RepoPaths.SampleWalks, "--bind", "127.0.95.195", "--port", "47171", "--count", "2" })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        try
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))) is not null && line != "ready")
            {
            }

            Assert.That(line, Is.EqualTo("ready"));
            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
            Assert.That(process.ExitCode, Is.Zero);
            Assert.That(await errors, Does.Contain("onestoppi simulate: stopped;"));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}
