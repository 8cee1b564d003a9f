using System.Diagnostics;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Simulator.Tests;

/// <summary>Many devices from one simulator, all asked at once.</summary>
[NonParallelizable]
public class LoadTests
{
    [Test]
    public async Task Two_hundred_devices_answer_two_hundred_concurrent_gets_without_loss()
    {
        await using FleetSimulator fleet = Fleet.Start(Fleet.Samples, 1, Loopback.LoadPort, new SimulatorOptions { Count = 200 });
        await using var client = new SnmpClient();
        ObjectIdentifier[] oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.43.10.2.1.4.1.1"];

        // No retransmission: a lost datagram would show as a timeout.
        Task<IReadOnlyList<Varbind>>[] gets = [.. fleet.Devices.Select(d => client.GetAsync(
            new SnmpTarget(d.EndPoint, new CommunityCredentials(SnmpVersion.V2c, "public")) { Timeout = TimeSpan.FromSeconds(5), Retries = 0 }, oids).AsTask())];
        IReadOnlyList<Varbind>[] answers = await Task.WhenAll(gets);

        for (int i = 0; i < answers.Length; i++)
        {
            Recording recording = fleet.Devices[i].Recording;
            for (int k = 0; k < oids.Length; k++)
            {
                int index = recording.IndexOf(oids[k]);
                Assert.That(answers[i][k].Value, Is.EqualTo(index >= 0 ? recording.ValueAt(index) : SnmpValue.NoSuchInstance), $"{fleet.Devices[i]} {oids[k]}");
            }
        }

        Assert.That(client.Statistics.Retransmissions, Is.Zero);
        Assert.That(fleet.Statistics.Received, Is.EqualTo(200));
        Assert.That(fleet.Statistics.Answered, Is.EqualTo(200));
    }

    [Test]
    public async Task Two_hundred_devices_walked_at_once_return_their_recordings()
    {
        await using FleetSimulator fleet = Fleet.Start(Fleet.Samples, 1, Loopback.LoadPort, new SimulatorOptions { Count = 200 });
        await using var client = new SnmpClient();
        var watch = Stopwatch.StartNew();

        List<string>[] walks = await Task.WhenAll(fleet.Devices.Select(d => Fleet.WalkAsync(client, Fleet.V2c(d.EndPoint))));

        for (int i = 0; i < walks.Length; i++)
        {
            Assert.That(walks[i], Is.EqualTo(Fleet.Expected(fleet.Devices[i].Recording)), fleet.Devices[i].ToString());
        }

        TestContext.Out.WriteLine($"200 walks, {walks.Sum(w => w.Count)} varbinds, {watch.ElapsedMilliseconds} ms, {client.Statistics.Retransmissions} retransmissions");
        Assert.That(client.Statistics.Timeouts, Is.Zero);
    }
}
