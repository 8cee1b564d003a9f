using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Lan.Discovery;
using OneStopPi.Agent.Lan.Http;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>
/// The whole agent host in-process, in temporary directories, with the LAN face on 127.0.0.1 and
/// free high ports (no mDNS: that is tested in a network namespace). Seeded with known devices.
/// </summary>
internal sealed class LanAgent : IAsyncDisposable
{
    private readonly IHost _host;

    private LanAgent(string root, IHost host, Uri http, IPEndPoint discovery)
    {
        Root = root;
        _host = host;
        Http = http;
        Discovery = discovery;
    }

    public string Root { get; }

    public Uri Http { get; }

    public IPEndPoint Discovery { get; }

    public string StateDirectory => Path.Combine(Root, "state");

    public string LogsDirectory => Path.Combine(Root, "logs");

    public string ConfigurationDirectory => Path.Combine(Root, "conf");

    public string SetupKey => File.ReadAllText(Path.Combine(StateDirectory, Agent.Lan.SetupKey.FileName)).Trim();

    public T Service<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static async Task<LanAgent> StartAsync(AgentSettings? settings = null, IReadOnlyList<OneStopPi.Collection.Discovery.RegisteredDevice>? devices = null, Func<AgentPaths, Task>? seed = null)
    {
        string root = Directory.CreateTempSubdirectory("onestoppi-lan-").FullName;
        var paths = new AgentPaths(Path.Combine(root, "state"), Path.Combine(root, "logs"), Path.Combine(root, "conf"));
        paths.EnsureCreated();
        Directory.CreateDirectory(paths.ConfigurationDirectory);
        if (devices is not null)
        {
            await RegistryFile.SaveAsync(paths.State("devices.json"), new OneStopPi.Collection.Discovery.DeviceRegistry(devices)).ConfigureAwait(false);
        }

        if (seed is not null)
        {
            await seed(paths).ConfigureAwait(false);
        }

        settings ??= new AgentSettings();
        settings = settings with
        {
            HardwareId = settings.HardwareId ?? "lan-test-" + Guid.NewGuid().ToString("N")[..8],
            Lan = new LanSettings { BindAddress = "127.0.0.1", HttpPort = FreeTcpPort(), DiscoveryPort = FreeUdpPort(), Mdns = false },
        };
        IHost host = AgentHost.Build(paths, settings, getVariable: _ => null);
        await host.StartAsync().ConfigureAwait(false);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Uri http = await host.Services.GetRequiredService<LanHttpServer>().Listening.WaitAsync(wait.Token).ConfigureAwait(false);
        IPEndPoint discovery = await host.Services.GetRequiredService<DiscoveryResponder>().Bound.WaitAsync(wait.Token).ConfigureAwait(false);
        return new LanAgent(root, host, http, discovery);
    }

    /// <summary>Everything the agent logged so far (Serilog's rolling file).</summary>
    public string LogText()
    {
        var text = new System.Text.StringBuilder();
        foreach (string file in Directory.EnumerateFiles(LogsDirectory))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            text.Append(reader.ReadToEnd());
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>An HTTP client whose connections come from <paramref name="source"/> (a 127/8 address), so each test has its own rate-limit partition.</summary>
    public HttpClient ClientFrom(string source)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Http };
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
