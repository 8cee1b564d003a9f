using System.Diagnostics;
using System.Net;
using OneStopPi.Collection.Readings;
using OneStopPi.Collection.Tests.Support;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Tests.Readings;

/// <summary>
/// Devices that break the rules: each gives a reading with what could be read plus an error, in
/// bounded time, and never an exception. snmpsim serves the recordings of Data/hostile; an in-process
/// agent plays what snmpsim cannot (OIDs going backwards, endless tables, silence mid-read).
/// </summary>
[NonParallelizable]
public sealed class HostileDeviceTests
{
    /// <summary>A hang guard, not a speed goal: the reads are bounded by requests and timeouts; a loaded machine may be slow.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly IPAddress FakeAddress = IPAddress.Parse("127.0.93.250");
    private static readonly IPAddress V1Address = IPAddress.Parse("127.0.79.2");
    private SnmpClient _client = null!;

    [OneTimeSetUp]
    public void StartClient() => _client = new SnmpClient();

    [OneTimeTearDown]
    public async Task StopClient() => await _client.DisposeAsync();

    [Test]
    public async Task Missing_tables_give_unknowns_and_no_error()
    {
        // Missing objects are not errors (the issue: "missing objects give unknown, never a crash or a guess").
        DeviceReading reading = await ReadAsync((await Fleets.HostileAsync()).EndPointOf("missing-tables.snmprec"));
        Assert.Multiple(() =>
        {
            Assert.That(reading.Answered, Is.True);
            Assert.That((reading.Vendor, reading.SysName), Is.EqualTo(("HP", "no-tables")));
            Assert.That((reading.Model, reading.Serial, reading.Mac), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
            Assert.That(reading.Supplies, Is.Empty);
            Assert.That(reading.Counters, Is.Empty);
            Assert.That(reading.Status.HrDeviceStatus, Is.Null);
            Assert.That(reading.Error, Is.Null);
            Assert.That(reading.Requests, Is.LessThanOrEqualTo(12));
        });
    }

    [Test]
    public async Task Wrong_value_types_are_reported_not_guessed()
    {
        DeviceReading reading = await ReadAsync((await Fleets.HostileAsync()).EndPointOf("wrong-types.snmprec"));
        Assert.Multiple(() =>
        {
            Assert.That(reading.SysName, Is.EqualTo("wrong-types"));
            Assert.That(reading.SysObjectId, Is.Null);
            Assert.That(reading.UptimeSeconds, Is.Null);
            Assert.That(reading.Status.HrDeviceStatus, Is.Null);
            Assert.That(reading.Status.Errors, Is.Empty);
            Assert.That(reading.Counters, Does.Not.ContainKey(CounterNames.Total));
            Assert.That(reading.Supplies, Has.Count.EqualTo(1));
            Assert.That(reading.Supplies[0].State, Is.EqualTo(SupplyState.Unknown));
            Assert.That(reading.Supplies[0].Percent, Is.Null);
            Assert.That(reading.Error, Does.Contain("1.3.6.1.2.1.1.2.0 has type OctetString"));
            Assert.That(reading.Error, Does.Contain("1.3.6.1.2.1.25.3.5.1.2.1 has type Integer32"));
            Assert.That(reading.Error, Does.Contain("1.3.6.1.2.1.43.11.1.1.9.1.1 has type OctetString"));
        });
    }

    [Test]
    public async Task Negative_counters_and_special_levels_stay_apart()
    {
        DeviceReading reading = await ReadAsync((await Fleets.HostileAsync()).EndPointOf("negative-counters.snmprec"));
        SupplyReading Supply(string description) => reading.Supplies.Single(s => s.Description == description);
        Assert.Multiple(() =>
        {
            Assert.That(reading.Vendor, Is.EqualTo("Sharp"));
            Assert.That(reading.Counters, Does.Not.ContainKey(CounterNames.Total));
            Assert.That(reading.Counters, Does.Not.ContainKey(CounterNames.Mono));
            Assert.That(reading.Error, Does.Contain("prtMarkerLifeCount.1.1 is negative (-5)"));
            Assert.That(reading.Error, Does.Contain("1.3.6.1.4.1.2385.1.1.19.2.1.3.5.4.61 is negative (-100)"));
            Assert.That((Supply("Black Toner").State, Supply("Black Toner").Percent), Is.EqualTo((SupplyState.SomeRemaining, (int?)null)));
            Assert.That((Supply("Cyan Toner").State, Supply("Cyan Toner").Percent), Is.EqualTo((SupplyState.NoLimit, (int?)null)));
            Assert.That((Supply("Magenta Toner").State, Supply("Magenta Toner").Percent), Is.EqualTo((SupplyState.Invalid, (int?)null)));
            Assert.That((Supply("Yellow Toner").State, Supply("Yellow Toner").Level, Supply("Yellow Toner").Percent),
                Is.EqualTo((SupplyState.Known, (long?)40, (int?)null)), "a level without a maximum is a level, not a percent");
        });
    }

    [Test]
    public async Task Huge_strings_are_cut_and_reported()
    {
        DeviceReading reading = await ReadAsync((await Fleets.HostileAsync()).EndPointOf("huge-strings.snmprec"));
        Assert.Multiple(() =>
        {
            Assert.That(reading.SysName, Is.EqualTo("huge-strings"));
            Assert.That(reading.SysDescr, Is.Null, "snmpsim serves the 64 KB record as noSuchInstance");
            Assert.That(reading.Supplies.Single().Description, Has.Length.LessThanOrEqualTo(512));
            Assert.That(reading.Supplies.Single().Percent, Is.EqualTo(50));
            Assert.That(reading.Error, Does.Contain("2399-byte string"), "snmpsim strips the trailing space of a plain value");
        });
    }

    [Test]
    public async Task A_60_KB_string_that_reaches_us_is_cut()
    {
        string huge = new('x', 60_000);
        await using var agent = new FakeAgent(FakeAddress, FakeAgent.ParseSnmprec(
            "1.3.6.1.2.1.1.1.0|4|" + huge, "1.3.6.1.2.1.1.5.0|4|sixty"));
        DeviceReading reading = await ReadAsync(agent.EndPoint);
        Assert.Multiple(() =>
        {
            Assert.That(reading.SysName, Is.EqualTo("sixty"));
            Assert.That(reading.SysDescr, Has.Length.EqualTo(512));
            Assert.That(reading.Error, Does.Contain("60000-byte string"));
        });
    }

    [Test]
    public async Task Table_oids_that_do_not_increase_end_the_column_with_an_error()
    {
        // After the first supply row the agent keeps answering the same OID: the walk must not loop.
        await using var agent = new FakeAgent(FakeAddress, Printer(3))
        {
            Rewrite = (_, request, honest) => request.Type == PduType.GetBulkRequest || request.Type == PduType.GetNextRequest
                ? [.. honest.Select(v => v.Oid.StartsWith("1.3.6.1.2.1.43.11.1.1.6") && v.Oid[^1] > 1 ? new Varbind("1.3.6.1.2.1.43.11.1.1.6.1.1", v.Value) : v)]
                : honest,
        };
        DeviceReading reading = await ReadAsync(agent.EndPoint);
        Assert.Multiple(() =>
        {
            Assert.That(reading.SysName, Is.EqualTo("fake"));
            Assert.That(reading.Supplies.Select(s => s.Description), Has.Member("Toner 1"));
            Assert.That(reading.Error, Does.Contain("OID not increasing"));
            Assert.That(reading.Requests, Is.LessThanOrEqualTo(12));
        });
    }

    [Test]
    public async Task An_endless_table_is_cut_in_bounded_requests()
    {
        // Every GETNEXT/GETBULK step inside prtMarkerSuppliesDescription invents one more row.
        await using var agent = new FakeAgent(FakeAddress, Printer(1))
        {
            Rewrite = (_, request, honest) => request.Type == PduType.GetRequest ? honest : [.. Endless(request, honest)],
        };
        DeviceReading reading = await ReadAsync(agent.EndPoint);
        Assert.Multiple(() =>
        {
            Assert.That(reading.Answered, Is.True);
            Assert.That(reading.Supplies, Has.Count.LessThanOrEqualTo(256));
            Assert.That(reading.Error, Does.Contain("rest ignored").Or.Contain("unfinished"));
            Assert.That(agent.Requests, Is.LessThanOrEqualTo(30));
        });
    }

    [Test]
    public async Task A_device_that_stops_answering_keeps_what_was_read()
    {
        await using var agent = new FakeAgent(FakeAddress, Printer(2))
        {
            Rewrite = (number, _, honest) => number == 1 ? honest : null,
        };
        DeviceReading reading = await ReadAsync(agent.EndPoint, timeout: TimeSpan.FromMilliseconds(200));
        Assert.Multiple(() =>
        {
            Assert.That(reading.Answered, Is.True);
            Assert.That(reading.SysName, Is.EqualTo("fake"));
            Assert.That(reading.Error, Does.StartWith("stopped answering"));
        });
    }

    [Test]
    public async Task A_silent_device_is_listed_with_an_error()
    {
        await using var agent = new FakeAgent(FakeAddress, Printer(1)) { Rewrite = (_, _, _) => null };
        DeviceReading reading = await ReadAsync(agent.EndPoint, timeout: TimeSpan.FromMilliseconds(200));
        Assert.Multiple(() =>
        {
            Assert.That(reading.Answered, Is.False);
            Assert.That(reading.Error, Does.StartWith("no answer"));
            Assert.That(reading.Ip, Is.EqualTo("127.0.93.250"));
            Assert.That(reading.Requests, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_SNMPv1_genErr_for_one_object_loses_that_object_only()
    {
        // Some SNMPv1 printers answer genErr, not noSuchName, for an object they cannot read: the collector takes
        // it as missing and asks again for the rest, in the scalar GET and in the column walk alike.
        await using var agent = new FakeAgent(V1Address, Printer(2))
        {
            Error = (request, answer) => V1Error(request, answer, ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.43.18.1.1.2"]),
        };
        DeviceReading reading = await ReadAsync(agent.EndPoint, version: SnmpVersion.V1);
        Assert.Multiple(() =>
        {
            Assert.That(reading.Answered, Is.True);
            Assert.That(reading.SysDescr, Is.Null);
            Assert.That(reading.SysName, Is.EqualTo("fake"));
            Assert.That(reading.Supplies.Select(s => s.Description), Is.EqualTo(new[] { "Toner 1", "Toner 2" }));
            Assert.That(reading.Error, Is.Null);
            Assert.That(reading.Requests, Is.EqualTo(agent.Requests));
            Assert.That(reading.Requests, Is.EqualTo(30), "as counted before the client counted for the collector");
        });
    }

    /// <summary>
    /// An SNMPv1 agent's error for a GET or GETNEXT: genErr at the first varbind naming one of <paramref name="failing"/>,
    /// or noSuchName at the first with no value (RFC 1157 4.1.2, 4.1.3), whichever comes first.
    /// </summary>
    private static (SnmpErrorStatus Status, int Index)? V1Error(Pdu request, IReadOnlyList<Varbind> answer, ObjectIdentifier[] failing)
    {
        if (request.Type is not (PduType.GetRequest or PduType.GetNextRequest))
        {
            return null;
        }

        for (int i = 0; i < request.Varbinds.Count; i++)
        {
            if (failing.Contains(request.Varbinds[i].Oid))
            {
                return (SnmpErrorStatus.GenErr, i + 1);
            }

            if (answer[i].Value.IsException)
            {
                return (SnmpErrorStatus.NoSuchName, i + 1);
            }
        }

        return null;
    }

    private static IEnumerable<Varbind> Printer(int supplies)
    {
        yield return new Varbind("1.3.6.1.2.1.1.1.0", SnmpValue.OctetString("Fake Printer"));
        yield return new Varbind("1.3.6.1.2.1.1.5.0", SnmpValue.OctetString("fake"));
        for (int i = 1; i <= supplies; i++)
        {
            yield return new Varbind($"1.3.6.1.2.1.43.11.1.1.6.1.{i}", SnmpValue.OctetString($"Toner {i}"));
        }

        for (int i = 1; i <= supplies; i++)
        {
            yield return new Varbind($"1.3.6.1.2.1.43.11.1.1.9.1.{i}", SnmpValue.Integer32(10 * i));
        }
    }

    private static IEnumerable<Varbind> Endless(Pdu request, IReadOnlyList<Varbind> honest)
    {
        ObjectIdentifier column = "1.3.6.1.2.1.43.11.1.1.6";
        int columns = request.Varbinds.Count;
        var cursors = request.Varbinds.Select(v => v.Oid).ToArray();
        for (int i = 0; i < honest.Count; i++)
        {
            int c = i % columns;
            if (cursors[c].StartsWith(column))
            {
                ObjectIdentifier next = cursors[c].Length == column.Length + 2 ? column.Append(1, cursors[c][^1] + 1) : column.Append(1, 1);
                cursors[c] = next;
                yield return new Varbind(next, SnmpValue.OctetString("again"));
            }
            else
            {
                cursors[c] = honest[i].Oid;
                yield return honest[i];
            }
        }
    }

    private async Task<DeviceReading> ReadAsync(IPEndPoint endPoint, TimeSpan? timeout = null, SnmpVersion version = SnmpVersion.V2c)
    {
        var target = new SnmpTarget(endPoint, new CommunityCredentials(version, "public")) { Timeout = timeout ?? TimeSpan.FromSeconds(1), Retries = 0 };
        var watch = Stopwatch.StartNew();
        DeviceReading reading = await new DeviceCollector(_client).ReadAsync(target);
        TestContext.Out.WriteLine(ReadingJson.Serialize(reading));
        Assert.That(watch.Elapsed, Is.LessThan(Bound), "a hang guard");
        return reading;
    }
}
