using System.Text.Json;

namespace OneStopPi.Contracts.Tests;

/// <summary>What agents and portals already in the field send still reads the same.</summary>
public sealed class WireCompatibilityTests
{
    [Test]
    public void A_heartbeat_without_nulls_and_without_the_newer_fields_reads_with_their_defaults()
    {
        // Agents before the shared contract left nulls out, and older ones knew neither stages nor the site clock.
        const string old = """{"version":"0.1.0","uptimeSeconds":60,"outboxDepth":2,"droppedReadings":1}""";
        HeartbeatRequest heartbeat = JsonSerializer.Deserialize(old, ContractsJsonContext.Default.HeartbeatRequest)!;
        Assert.That(heartbeat, Is.EqualTo(new HeartbeatRequest("0.1.0", 60, null, null, 2, 1, null, 0, false, null)));
    }

    [Test]
    public void A_heartbeat_answer_without_server_time_reads_as_unknown_time()
    {
        const string old = """{"configEtag":"\"ab\"","pendingCommands":0}""";
        Assert.That(JsonSerializer.Deserialize(old, ContractsJsonContext.Default.HeartbeatResponse)!.ServerTime, Is.Null);
    }

    [Test]
    public void The_command_type_is_a_number_on_the_wire_and_an_unknown_number_still_reads()
    {
        const string polled = """[{"id":9,"type":6,"parameter":"10.0.0.5","createdAt":"2026-03-02T06:05:00Z"},{"id":10,"type":99,"parameter":null,"createdAt":"2026-03-02T06:05:00Z"}]""";
        PendingCommand[] commands = JsonSerializer.Deserialize(polled, ContractsJsonContext.Default.PendingCommandArray)!;
        Assert.That(commands.Select(c => c.Type), Is.EqualTo(new[] { CommandType.WalkMib, (CommandType)99 }));
        Assert.That(CommandRules.IsKnown(commands[1].Type), Is.False);
        Assert.That(JsonSerializer.Serialize(commands[0], ContractsJsonContext.Default.PendingCommand), Does.Contain("\"type\":6"));
    }

    [Test]
    public void Property_names_are_read_without_regard_to_case_as_the_web_defaults_do()
    {
        const string pascal = """{"BatchId":"b-00000001","Duplicate":true,"Documents":1,"Readings":4}""";
        Assert.That(JsonSerializer.Deserialize(pascal, ContractsJsonContext.Default.BatchAccepted), Is.EqualTo(new BatchAccepted("b-00000001", true, 1, 4)));
    }

    [Test]
    public void A_schedule_with_one_meter_time_and_no_list_reads_as_one_read_a_day()
    {
        // A portal before several reads a day sends only meterTime; the agent reads once a day at it.
        const string old = """{"meterTime":"06:00","timeZone":"Europe/Berlin","statusIntervalMinutes":15,"commandPollSeconds":300}""";
        ScheduleConfig schedule = JsonSerializer.Deserialize(old, ContractsJsonContext.Default.ScheduleConfig)!;
        Assert.That(schedule.MeterTimes, Is.Null);
        Assert.That(schedule.AllMeterTimes(), Is.EqualTo(new[] { "06:00" }));
    }

    [Test]
    public void A_schedule_of_several_times_still_names_the_first_as_the_single_time_older_agents_read()
    {
        // Agents before several reads a day ignore meterTimes (unknown members are skipped) and read at meterTime.
        string json = JsonSerializer.Serialize(ScheduleConfig.ForTimes(["07:30", "12:30", "17:30"], "UTC", 15, 300), ContractsJsonContext.Default.ScheduleConfig);
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.That(document.RootElement.GetProperty("meterTime").GetString(), Is.EqualTo("07:30"));
        Assert.That(document.RootElement.GetProperty("meterTimes").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "07:30", "12:30", "17:30" }));
        const string withUnknown = """{"meterTime":"07:30","timeZone":"UTC","statusIntervalMinutes":15,"commandPollSeconds":300,"laterField":[1]}""";
        Assert.That(JsonSerializer.Deserialize(withUnknown, ContractsJsonContext.Default.ScheduleConfig)!.MeterTime, Is.EqualTo("07:30"));
    }
}
