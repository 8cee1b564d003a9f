using System.Text.Json;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>
/// Three agents (<c>onestoppi run</c>) in three network namespaces on a private bridge: found by
/// <c>onestoppi discover</c>'s broadcast and by a real mDNS client (Debian's avahi-daemon + avahi-browse)
/// in a third namespace. Root only (CI is root); skipped with the reason otherwise.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("root")]
public sealed class LanNamespaceTests
{
    private LanNamespaces? _lan;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        LanNamespaces.Require();

        _lan = await LanNamespaces.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_lan is not null)
        {
            await _lan.DisposeAsync();
        }
    }

    [Order(1)]
    [TestCase(null, TestName = "Discover_finds_every_agent_by_broadcast")]
    [TestCase("br0", TestName = "Discover_finds_every_agent_on_the_named_interface")]
    public async Task Discover_finds_every_agent(string? nic)
    {
        string[] options = nic is null ? [] : ["--interface", nic];
        ProcessResult result = await _lan!.InClientAsync(LanNamespaces.Command[0], [.. LanNamespaces.Command.Skip(1), "discover", "--json", "--timeout", "1500", .. options]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.StandardOutput);
        JsonElement[] boxes = [.. json.RootElement.EnumerateArray()];
        Assert.That(boxes.Select(b => b.GetProperty("address").GetString()).ToArray(), Is.EqualTo(LanNamespaces.Agents.Select(a => a.Address).ToArray()));
        Assert.That(boxes.Select(b => b.GetProperty("mac").GetString()).ToArray(), Is.EqualTo(LanNamespaces.Agents.Select(a => a.Mac).ToArray()));
        Assert.That(boxes.Select(b => b.GetProperty("mdnsName").GetString()).ToArray(), Is.EqualTo(LanNamespaces.Names.Select(n => n + ".local").ToArray()));
        Assert.That(boxes.Select(b => b.GetProperty("hardwareId").GetString()).ToArray(), Is.EqualTo(new[] { "lan-ns-a", "lan-ns-b", "lan-ns-c" }));
        Assert.That(boxes.Select(b => b.GetProperty("httpPort").GetInt32()), Has.All.EqualTo(23998));
    }

    [Test]
    [Order(2)]
    public async Task Discover_lists_them_as_a_table()
    {
        ProcessResult result = await _lan!.InClientAsync(LanNamespaces.Command[0], [.. LanNamespaces.Command.Skip(1), "discover", "--timeout", "1500"]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        string[] lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[1], Does.StartWith("onestop-000a.local").And.Contain("198.18.0.2").And.Contain("02:00:5e:00:00:0a"));
        Assert.That(lines[2], Does.StartWith("onestop-000b.local").And.Contain("198.18.0.3"));
    }

    [Test]
    [Order(3)]
    public async Task Status_page_is_served_on_the_lan_address()
    {
        ProcessResult result = await _lan!.InClientAsync("curl", ["-sS", "--max-time", "10", "http://198.18.0.2:23998/status"]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.StandardOutput);
        Assert.That(json.RootElement.GetProperty("hardwareId").GetString(), Is.EqualTo("lan-ns-a"));
        Assert.That(json.RootElement.GetProperty("network").EnumerateArray().Select(n => n.GetProperty("address").GetString()), Does.Contain("198.18.0.2/24"));
    }

    /// <summary>
    /// avahi-browse talks to avahi-daemon over D-Bus. Without systemd or a system bus here, the script
    /// (in the client namespace, in its own mount namespace with a tmpfs on /run) starts a private
    /// dbus-daemon as the "system" bus, avahi-daemon on it (--no-drop-root --no-chroot, br0 only, no
    /// publishing of its own), then avahi-browse and avahi-resolve.
    /// </summary>
    [Test]
    [Order(10)] // last: it stops agent b
    public async Task Avahi_browse_resolves_every_service_and_sees_the_goodbye()
    {
        string dir = _lan!.Scratch("avahi");
        await File.WriteAllTextAsync(Path.Combine(dir, "dbus.conf"), $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path={dir}/bus</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/><allow own="*"/><allow send_type="method_call"/>
                <allow send_destination="*" eavesdrop="true"/><allow receive_sender="*"/>
              </policy>
            </busconfig>
            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "avahi.conf"), """
            [server]
            host-name=osp-browser
            use-ipv4=yes
            use-ipv6=no
            allow-interfaces=br0
            enable-dbus=yes
            [wide-area]
            enable-wide-area=no
            [publish]
            publish-addresses=no
            publish-hinfo=no
            publish-workstation=no
            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "run.sh"), $$"""
            set -u
            mount -t tmpfs tmpfs /run
            mkdir -p /run/avahi-daemon /run/dbus
            dbus-daemon --config-file={{dir}}/dbus.conf --fork --print-pid > {{dir}}/dbus.pid
            export DBUS_SYSTEM_BUS_ADDRESS=unix:path={{dir}}/bus
            avahi-daemon -f {{dir}}/avahi.conf --no-drop-root --no-chroot --no-rlimits > {{dir}}/avahi.log 2>&1 &
            echo $! > {{dir}}/avahi.pid
            for i in $(seq 50); do grep -q "Server startup complete" {{dir}}/avahi.log && break; sleep 0.2; done
            avahi-browse -rpt _onestop._tcp > {{dir}}/browse.txt 2>&1
            echo "browse exit $?" >> {{dir}}/browse.txt
            avahi-resolve -4 -n onestop-000b.local > {{dir}}/resolve.txt 2>&1
            # live browse while agent b leaves: its goodbye (TTL 0) must remove it at once
            avahi-browse -rp _onestop._tcp > {{dir}}/live.txt 2>&1 &
            echo $! > {{dir}}/live.pid
            for i in $(seq 50); do [ -e {{dir}}/stopped ] && break; sleep 0.2; done
            sleep 2
            kill $(cat {{dir}}/live.pid) $(cat {{dir}}/avahi.pid) $(cat {{dir}}/dbus.pid)
            """);
        Task<ProcessResult> script = _lan.InClientAsync("sh", [Path.Combine(dir, "run.sh")], TimeSpan.FromSeconds(60));
        string live = Path.Combine(dir, "live.txt");
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!File.Exists(live) || !(await File.ReadAllTextAsync(live, wait.Token)).Contains("=;br0;IPv4;onestop-000b", StringComparison.Ordinal))
            {
                Assert.That(script.IsCompleted, Is.False, () => $"the avahi script ended early: {script.Result}\n{File.ReadAllText(Path.Combine(dir, "avahi.log"))}");
                await Task.Delay(200, wait.Token);
            }
        }

        await _lan.StopAgentAsync("b");
        await File.WriteAllTextAsync(Path.Combine(dir, "stopped"), "");
        ProcessResult finished = await script;
        string browse = await File.ReadAllTextAsync(Path.Combine(dir, "browse.txt"));
        string resolve = await File.ReadAllTextAsync(Path.Combine(dir, "resolve.txt"));
        string liveText = await File.ReadAllTextAsync(live);
        TestContext.Out.WriteLine($"{finished}\nbrowse:\n{browse}\nresolve:\n{resolve}\nlive:\n{liveText}");

        string[] resolved = [.. browse.Split('\n').Where(l => l.StartsWith("=;", StringComparison.Ordinal))];
        Assert.That(resolved, Has.Length.EqualTo(3), browse);
        string a = resolved.Single(l => l.Contains(";onestop-000a;", StringComparison.Ordinal));
        string[] fields = a.Split(';');
        Assert.Multiple(() =>
        {
            Assert.That(fields[4], Is.EqualTo("_onestop._tcp"));
            Assert.That(fields[6], Is.EqualTo("onestop-000a.local"));
            Assert.That(fields[7], Is.EqualTo("198.18.0.2"));
            Assert.That(fields[8], Is.EqualTo("23998"));
            Assert.That(fields[9], Does.Contain("\"hw=lan-ns-a\"").And.Contain("\"version=").And.Contain("\"id="));
            Assert.That(resolved.Single(l => l.Contains(";onestop-000b;", StringComparison.Ordinal)), Does.Contain(";198.18.0.3;23998;"));
            Assert.That(resolved.Single(l => l.Contains(";onestop-000a-2;", StringComparison.Ordinal)),
                Does.Contain(";onestop-000a-2.local;198.18.0.4;23998;"), "c probed, found onestop-000a taken by a, and took -2");
            Assert.That(_lan.AgentLog("c"), Does.Contain("onestop-000a is already in use on the link; trying onestop-000a-2"));
            Assert.That(resolve, Does.Match(@"onestop-000b\.local\s+198\.18\.0\.3"));
            Assert.That(liveText, Does.Contain("-;br0;IPv4;onestop-000b;_onestop._tcp;local"), "agent b's goodbye removed it");
            Assert.That(liveText, Does.Not.Contain("-;br0;IPv4;onestop-000a;"));
            Assert.That(_lan.AgentLog("b"), Does.Contain("mDNS: goodbye sent"));
        });
    }
}
