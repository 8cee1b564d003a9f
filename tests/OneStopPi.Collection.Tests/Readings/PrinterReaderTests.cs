using System.Net;
using OneStopPi.Collection.Readings;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Tests.Readings;

/// <summary>The one credential plan and reader the CLI, the service and discovery share.</summary>
public sealed class PrinterReaderTests
{
    private static readonly IPEndPoint Printer = new(IPAddress.Parse("198.18.0.5"), 161);

    [Test]
    public void No_credentials_means_v2c_public()
    {
        var plan = new CredentialPlan([]);
        Assert.That(plan.Credentials, Is.EqualTo(new[] { CredentialPlan.Default }));
        Assert.That(((CommunityCredentials)plan[0]).Community, Is.EqualTo("public"));
        Assert.That(plan[0].Version, Is.EqualTo(SnmpVersion.V2c));
    }

    [TestCase(null, new[] { 0, 1, 2 })]
    [TestCase(2, new[] { 2, 0, 1 })]
    [TestCase(1, new[] { 1, 0, 2 })]
    [TestCase(7, new[] { 0, 1, 2 })]
    [TestCase(-1, new[] { 0, 1, 2 })]
    public void The_last_good_credential_goes_first_then_the_sites_order(int? preferred, int[] expected)
    {
        var plan = new CredentialPlan([Community("a"), Community("b"), Community("c")]);
        Assert.That(plan.Order(preferred), Is.EqualTo(expected));
        Assert.That(plan.First(preferred), Is.EqualTo(expected[0]));
    }

    [Test]
    public async Task The_reader_stops_at_the_first_credential_that_answers_and_counts_every_attempts_requests()
    {
        var collector = new ScriptedCollector("c");
        var reader = new PrinterReader(collector, new CredentialPlan([Community("a"), Community("b"), Community("c")]),
            (endPoint, credentials) => new SnmpTarget(endPoint, credentials) { Retries = 0 });

        PrinterRead read = await reader.ReadAsync(Printer, preferred: 1);

        Assert.Multiple(() =>
        {
            Assert.That(collector.Tried, Is.EqualTo(new[] { "b", "a", "c" }));
            Assert.That(read.Credential, Is.EqualTo(2));
            Assert.That(read.Reading.Answered, Is.True);
            Assert.That(read.Reading.Requests, Is.EqualTo(1 + 1 + 4));
            Assert.That(collector.Retries, Has.All.EqualTo(0), "each attempt shaped by the caller");
        });
    }

    [Test]
    public async Task A_silent_printer_has_no_credential_and_the_last_attempts_error()
    {
        var collector = new ScriptedCollector("nobody");
        var reader = new PrinterReader(collector, new CredentialPlan([Community("a"), Community("b")]), (e, c) => new SnmpTarget(e, c));

        PrinterRead read = await reader.ReadAsync(Printer, preferred: null);

        Assert.Multiple(() =>
        {
            Assert.That(read.Credential, Is.Null);
            Assert.That(read.Reading.Answered, Is.False);
            Assert.That(read.Reading.Error, Is.EqualTo("no answer with b"));
            Assert.That(read.Reading.Requests, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Many_printers_are_yielded_in_their_order_with_a_bounded_number_held_behind_a_slow_one()
    {
        var collector = new GatedCollector();
        var reader = new PrinterReader(collector, new CredentialPlan([]), (e, c) => new SnmpTarget(e, c));
        IPEndPoint[] printers = [.. Enumerable.Range(1, 100).Select(i => new IPEndPoint(IPAddress.Parse($"198.18.1.{i}"), 161))];
        var order = new List<string>();

        Task reading = Task.Run(async () =>
        {
            await foreach ((IPEndPoint printer, PrinterRead read) in reader.ReadAllAsync(printers, p => (p, (int?)null), concurrency: 4))
            {
                order.Add(read.Reading.Ip);
                Assert.That(read.Reading.Ip, Is.EqualTo(printer.Address.ToString()));
            }
        });
        await collector.WaitForStartsAsync(16);
        await Task.Delay(200); // room for more starts if the window were not bounded
        int startedBeforeTheFirstAnswered = collector.Started;
        collector.ReleaseFirst();
        await reading.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(startedBeforeTheFirstAnswered, Is.EqualTo(16), "at most four readings per concurrent read (4) wait behind the first");
            Assert.That(order, Is.EqualTo(printers.Select(p => p.Address.ToString())), "input order");
        });
    }

    [Test]
    public void Addresses_sort_by_value_IPv4_first()
    {
        string[] sorted = [.. new[] { "198.18.0.10", "fe80::1", "198.18.0.9", "10.0.0.1", "not-an-address" }.Order(AddressOrder.Instance)];
        Assert.That(sorted, Is.EqualTo(new[] { "10.0.0.1", "198.18.0.9", "198.18.0.10", "fe80::1", "not-an-address" }));
    }

    private static CommunityCredentials Community(string community) => new(SnmpVersion.V2c, community);

    private sealed class ScriptedCollector(string answering) : IDeviceCollector
    {
        public List<string> Tried { get; } = [];

        public List<int?> Retries { get; } = [];

        public Task<DeviceReading> ReadAsync(SnmpTarget target, bool knownAlive, CancellationToken cancellationToken = default)
        {
            string community = ((CommunityCredentials)target.Credentials).Community;
            Tried.Add(community);
            Retries.Add(target.Retries);
            string ip = target.EndPoint.Address.ToString();
            return Task.FromResult(community == answering
                ? new DeviceReading { Ip = ip, Port = 161, Requests = 4 }
                : new DeviceReading { Ip = ip, Port = 161, Answered = false, Error = $"no answer with {community}", Requests = 1 });
        }
    }

    /// <summary>The first printer answers only when released; every other at once.</summary>
    private sealed class GatedCollector : IDeviceCollector
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public int Started => Volatile.Read(ref _started);

        public void ReleaseFirst() => _first.TrySetResult();

        public async Task WaitForStartsAsync(int count)
        {
            for (int i = 0; i < 300 && Started < count; i++)
            {
                await Task.Delay(20);
            }
        }

        public async Task<DeviceReading> ReadAsync(SnmpTarget target, bool knownAlive, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _started) == 1)
            {
                await _first.Task.WaitAsync(cancellationToken);
            }

            return new DeviceReading { Ip = target.EndPoint.Address.ToString(), Port = 161, Requests = 4 };
        }
    }
}
