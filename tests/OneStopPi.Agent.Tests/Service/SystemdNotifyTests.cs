using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The Type=notify protocol (sd_notify(3)) without systemd: the test binds the datagram socket that
/// NOTIFY_SOCKET names, starts <c>onestoppi run</c> with WATCHDOG_USEC=2000000 (WatchdogSec=2), and
/// reads what the agent says: READY=1, WATCHDOG=1 about every second, STOPPING=1 on SIGTERM.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SystemdNotifyTests
{
    [Test]
    public async Task Ready_then_watchdog_pings_then_stopping_on_sigterm()
    {
        using var home = new AgentHome("systemd");
        using var systemd = new NotifySocket(Path.Combine(home.Root, "notify"));
        await using AgentProcess agent = home.Start(new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = systemd.Path,
            ["WATCHDOG_USEC"] = "2000000",
        });

        TimeSpan ready = await systemd.WaitForAsync("READY=1", TimeSpan.FromSeconds(60), agent.Tail);
        await Eventually.TrueAsync(() => systemd.Pings.Count(p => p > ready) >= 4, TimeSpan.FromSeconds(30), "four WATCHDOG=1 after READY=1", agent.Tail);

        TimeSpan[] pings = [.. systemd.Pings];
        TimeSpan[] gaps = [.. pings.Zip(pings.Skip(1), (a, b) => b - a).Order()];
        Assert.That(gaps[gaps.Length / 2], Is.LessThan(TimeSpan.FromSeconds(2)), "pings come at about half of WatchdogSec");

        int exitCode = await agent.TerminateAsync();
        TimeSpan stopping = await systemd.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(5), agent.Tail);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, "a clean exit");
            Assert.That(stopping, Is.GreaterThan(ready));
            Assert.That(systemd.Messages.Count(m => m.Text == "READY=1"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Without_a_watchdog_interval_there_are_no_pings()
    {
        using var home = new AgentHome("systemd-nowatchdog");
        using var systemd = new NotifySocket(Path.Combine(home.Root, "notify"));
        await using AgentProcess agent = home.Start(new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Path });

        await systemd.WaitForAsync("READY=1", TimeSpan.FromSeconds(60), agent.Tail);
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.That(systemd.Pings, Is.Empty);
        Assert.That(await agent.TerminateAsync(), Is.Zero);
    }

    /// <summary>What systemd listens on: a Unix datagram socket; every datagram is one notification.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        private readonly CancellationTokenSource _stop = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentQueue<(TimeSpan At, string Text)> _messages = new();
        private readonly Task _receiving;

        public NotifySocket(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _receiving = ReceiveAsync();
        }

        public string Path { get; }

        public IReadOnlyList<(TimeSpan At, string Text)> Messages => [.. _messages];

        public IEnumerable<TimeSpan> Pings => _messages.Where(m => m.Text == "WATCHDOG=1").Select(m => m.At);

        public async Task<TimeSpan> WaitForAsync(string text, TimeSpan timeout, Func<string> context)
        {
            string found = await Eventually.ValueAsync(() => Task.FromResult(_messages.Where(m => m.Text == text).Select(m => m.At.ToString("c")).FirstOrDefault()),
                timeout, text, () => $"received: {string.Join(", ", _messages.Select(m => m.Text))}\n{context()}");
            return TimeSpan.Parse(found, System.Globalization.CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
            try
            {
                _receiving.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // the receive loop ends with the socket
            }

            _stop.Dispose();
        }

        private async Task ReceiveAsync()
        {
            byte[] buffer = new byte[4096];
            while (!_stop.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                foreach (string line in Encoding.UTF8.GetString(buffer, 0, length).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    _messages.Enqueue((_clock.Elapsed, line));
                }
            }
        }
    }
}
