using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace OneStopPi.Agent.Tests.Hosting;

/// <summary>A Serilog sink that keeps every event and the line an output template renders it to.</summary>
internal sealed class CollectingSink(string outputTemplate) : ILogEventSink
{
    private readonly MessageTemplateTextFormatter _format = new(outputTemplate, CultureInfo.InvariantCulture);

    public List<string> Lines { get; } = [];

    public List<LogEvent> Events { get; } = [];

    public void Emit(LogEvent logEvent)
    {
        var text = new StringWriter();
        _format.Format(logEvent, text);
        Lines.Add(text.ToString());
        Events.Add(logEvent);
    }
}
