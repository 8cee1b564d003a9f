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
}
