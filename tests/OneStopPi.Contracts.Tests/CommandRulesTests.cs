namespace OneStopPi.Contracts.Tests;

public sealed class CommandRulesTests
{
    [Test]
    public void The_numbers_are_those_of_the_protocol_document()
    {
        Assert.That(Enum.GetValues<CommandType>().Select(t => ((int)t, CommandRules.Name(t))), Is.EqualTo(new[]
        {
            (1, "restart-agent"), (2, "force-discovery"), (3, "upload-logs"), (4, "delete-logs"), (5, "set-log-mode"), (6, "walk-mib"), (7, "upgrade"),
        }));
    }

    [Test]
    public void Only_logs_and_walks_have_a_result_file() =>
        Assert.That(Enum.GetValues<CommandType>().Where(CommandRules.HasResultFile), Is.EqualTo(new[] { CommandType.UploadLogFiles, CommandType.WalkMib }));

    [TestCase(CommandType.RestartAgent, null)]
    [TestCase(CommandType.SetLogMode, "verbose")]
    [TestCase(CommandType.WalkMib, "10.1.0.7:1161 1.3.6.1.2.1.43")]
    public void A_fitting_parameter_passes(CommandType type, string? parameter) =>
        Assert.That(CommandRules.CheckParameter(type, parameter), Is.Null);

    [TestCase(CommandType.SetLogMode, null, "set-log-mode needs one of normal, verbose, debug")]
    [TestCase(CommandType.SetLogMode, "loud", "set-log-mode needs one of normal, verbose, debug")]
    [TestCase(CommandType.WalkMib, "printer.local", "walk-mib needs an IP address")]
    [TestCase((CommandType)0, null, "command type 0 is unknown")]
    [TestCase((CommandType)8, null, "command type 8 is unknown")]
    public void A_wrong_parameter_or_type_gets_a_sentence(CommandType type, string? parameter, string start) =>
        Assert.That(CommandRules.CheckParameter(type, parameter), Does.StartWith(start));

    [Test]
    public void A_parameter_over_1024_characters_is_refused() =>
        Assert.That(CommandRules.CheckParameter(CommandType.RestartAgent, new string('x', 1025)), Does.Contain("longer than 1024"));
}
