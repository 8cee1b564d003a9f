using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Lan.Discovery;
using OneStopPi.Agent.Lan.Http;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>The LAN face against what the LAN can do to it: a port already taken, a client that never sends its body, what an answer's head says.</summary>
[TestFixture]
[NonParallelizable]
public sealed class LanHttpLimitsTests
{
    [Test]
    public async Task Port_taken_is_logged_and_the_agent_keeps_running()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        int port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        string root = Directory.CreateTempSubdirectory("onestoppi-lan-taken-").FullName;
        var paths = new AgentPaths(Path.Combine(root, "state"), Path.Combine(root, "logs"), Path.Combine(root, "conf"));
        paths.EnsureCreated();
        var settings = new AgentSettings
        {
            HardwareId = "lan-taken-" + Guid.NewGuid().ToString("N")[..8],
            Lan = new LanSettings { BindAddress = "127.0.0.1", HttpPort = port, DiscoveryPort = LanAgent.FreeUdpPort(), Mdns = false },
        };
        IHost host = AgentHost.Build(paths, settings, getVariable: _ => null);
        try
        {
            await host.StartAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Assert.That(async () => await host.Services.GetRequiredService<LanHttpServer>().Listening.WaitAsync(wait.Token), Throws.InstanceOf<HttpListenerException>());
            IPEndPoint discovery = await host.Services.GetRequiredService<DiscoveryResponder>().Bound.WaitAsync(wait.Token);
            Assert.That(discovery.Port, Is.EqualTo(settings.Lan.DiscoveryPort), "the rest of the LAN face still starts");
            Assert.That(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, Is.False, "the agent keeps running");
            string log = string.Concat(Directory.EnumerateFiles(paths.LogsDirectory).Select(ReadShared));
            Assert.That(log, Does.Contain($"LAN: cannot listen on TCP port {port}; no status page"));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public async Task A_body_that_never_comes_closes_the_connection()
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.83.121"), 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, agent.Http.Port));
        string head = $"PUT /api/portal HTTP/1.1\r\nHost: 127.0.0.1:{agent.Http.Port}\r\nAuthorization: Bearer {agent.SetupKey}\r\n" +
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"portalUrl\":";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        var started = System.Diagnostics.Stopwatch.StartNew();
        byte[] buffer = new byte[4096];
        var answer = new StringBuilder();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int read;
        try
        {
            while ((read = await socket.ReceiveAsync(buffer, limit.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // closed by the agent
        }

        Assert.That(started.Elapsed, Is.GreaterThanOrEqualTo(LanExchange.BodyTimeout - TimeSpan.FromSeconds(1)), "closed only once the body's time was up");
        Assert.That(answer.ToString(), Does.StartWith("HTTP/1.1 408 ").And.Contain("Connection: close"), "a 408, then the connection closed");
        Assert.That(File.Exists(Path.Combine(agent.ConfigurationDirectory, "agent.json")), Is.False, "nothing saved from half a body");
    }

    [Test]
    public async Task Answer_head_names_no_server_and_refusals_close_the_connection()
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        using HttpClient client = agent.ClientFrom("127.0.83.122");
        using HttpResponseMessage health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.That(health.Headers.Server.ToString(), Is.EqualTo("onestoppi"), "the agent, not the framework's name and version");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/portal") { Content = new StringContent(new string('x', 9000), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", agent.SetupKey);
        using HttpResponseMessage large = await client.SendAsync(request);
        Assert.That(large.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(large.Headers.ConnectionClose, Is.True, "the unread rest of the body is not drained");
        using HttpResponseMessage text = await client.PutAsync(new Uri("/api/portal", UriKind.Relative), new StringContent("x", Encoding.UTF8, "text/plain"));
        Assert.That(text.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the key is checked before the body");
    }

    private static string ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
