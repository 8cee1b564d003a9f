using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Hosting;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Display;

namespace OneStopPi.Agent.Tests.Hosting;

/// <summary>
/// SerilogBridge replaced Serilog.Extensions.Logging's factory (for the AOT image's size): the same calls must
/// give the same log lines and the same event properties.
/// </summary>
public sealed partial class SerilogBridgeTests
{
    private const string Template = "{Timestamp:yyyy} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}";

    [Test]
    public void Writes_what_Serilog_Extensions_Logging_writes()
    {
        (List<string> theirs, List<LogEvent> theirEvents) = Run(serilog => new SerilogLoggerFactory(serilog));
        (List<string> ours, List<LogEvent> ourEvents) = Run(serilog => new SerilogBridge(serilog));

        Assert.That(ours, Is.EqualTo(theirs));
        Assert.That(ours, Has.Count.EqualTo(9), "debug is below the minimum level");
        for (int i = 0; i < ours.Count; i++)
        {
            Assert.That(Properties(ourEvents[i]), Is.EqualTo(Properties(theirEvents[i])), ours[i]);
        }
    }

    private static string Properties(LogEvent e) =>
        string.Join("; ", e.Properties.Where(p => p.Key != "Scope").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static (List<string> Lines, List<LogEvent> Events) Run(Func<Serilog.ILogger, ILoggerFactory> factory)
    {
        var sink = new CollectingSink(Template);
        using Logger serilog = new Serilog.LoggerConfiguration().MinimumLevel.Information().MinimumLevel.Override("Noisy", LogEventLevel.Error)
            .WriteTo.Sink(sink).CreateLogger();
        using ILoggerFactory loggers = factory(serilog);
        ILogger<SerilogBridgeTests> logger = loggers.CreateLogger<SerilogBridgeTests>();
        LogCounts(logger, 12, 3.14159, "a b");
        LogNulls(logger, null, null);
        LogList(logger, ["x", "y"]);
        LogFailure(logger, new InvalidOperationException("it broke"), "upload");
        LogDebug(logger, 1);
        logger.LogInformation("Formatted {Count} at {When:HH:mm}", 3, new DateTime(2026, 12, 7, 16, 5, 0, DateTimeKind.Utc));
        logger.LogWarning("Braces {{not a hole}} and {Hole}", "filled");
        logger.Log(LogLevel.Critical, new EventId(9, "Named"), "plain {text}", null, (s, _) => s);
        loggers.CreateLogger("Noisy.Thing").LogWarning("below the override");
        loggers.CreateLogger("Noisy.Thing").LogError("above the override {N}", 1);
        logger.LogInformation(new EventId(0, "OnlyName"), "{@Obj} and {$Str}", new { A = 1 }, 2.5);
        return (sink.Lines, sink.Events);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Counts {Count} ratio {Ratio:F2} name {Name}")]
    private static partial void LogCounts(ILogger logger, int count, double ratio, string name);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Nulls {First} {Second}")]
    private static partial void LogNulls(ILogger logger, string? first, int? second);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "List {Items}")]
    private static partial void LogList(ILogger logger, string[] items);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "{Stage} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string stage);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Debug {N}")]
    private static partial void LogDebug(ILogger logger, int n);
}
