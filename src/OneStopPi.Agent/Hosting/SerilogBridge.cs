using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace OneStopPi.Agent.Hosting;

/// <summary>
/// Microsoft.Extensions.Logging to Serilog, in place of Serilog.Extensions.Logging's factory: the same events
/// (the message template from "{OriginalFormat}", its properties, SourceContext, EventId), for a smaller
/// Native AOT image. ILogger.Log is generic over the state, and every [LoggerMessage] has its own state
/// type, so whatever a provider does inside Log is compiled once per message: Serilog.Extensions.Logging's
/// per-message code came to about 250 KiB (docs/benchmarks.md "Third pass"). Here the generic part only
/// hands the state over; the rest is compiled once. No scopes: nothing here uses them and the output
/// templates show none.
/// </summary>
public sealed class SerilogBridge(Serilog.ILogger serilog, bool dispose = false) : ILoggerFactory
{
    private const string OriginalFormat = "{OriginalFormat}";

    /// <summary>Templates come from the code (a bounded set); the cap only guards against a caller passing data as a template.</summary>
    private const int MaxCachedTemplates = 2000;

    private readonly MessageTemplateParser _parser = new();
    private readonly ConcurrentDictionary<string, MessageTemplate> _templates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CategoryLogger> _loggers = new(StringComparer.Ordinal);

    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, static (name, bridge) => new CategoryLogger(bridge, bridge.Target.ForContext(Constants.SourceContextPropertyName, name)), this);

    /// <summary>Other providers are not supported: everything goes to Serilog's sinks (as with Serilog's own factory without a provider collection).</summary>
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
        if (dispose)
        {
            (serilog as IDisposable)?.Dispose();
        }
    }

    private Serilog.ILogger Target => serilog;

    private static LogEventLevel ToSerilog(LogLevel level) => level switch
    {
        LogLevel.Trace => LogEventLevel.Verbose,
        LogLevel.Debug => LogEventLevel.Debug,
        LogLevel.Information => LogEventLevel.Information,
        LogLevel.Warning => LogEventLevel.Warning,
        LogLevel.Error => LogEventLevel.Error,
        _ => LogEventLevel.Fatal,
    };

    /// <summary>An event whose state carries its template; false when it does not (then the caller writes the formatted text).</summary>
    private bool TryWrite(Serilog.ILogger target, LogEventLevel level, EventId eventId, IReadOnlyList<KeyValuePair<string, object?>>? state, Exception? exception)
    {
        if (state is null)
        {
            return false;
        }

        string? format = null;
        var properties = new List<LogEventProperty>(state.Count + 1);
        for (int i = 0; i < state.Count; i++)
        {
            (string name, object? value) = state[i];
            if (name == OriginalFormat)
            {
                format = value as string;
            }
            else if (name.StartsWith('@'))
            {
                Bind(target, properties, name[1..], value, destructure: true);
            }
            else if (name.StartsWith('$'))
            {
                properties.Add(new LogEventProperty(name[1..], new ScalarValue(value?.ToString())));
            }
            else
            {
                Bind(target, properties, name, value, destructure: false);
            }
        }

        if (format is null)
        {
            return false;
        }

        Emit(target, level, eventId, Template(format), properties, exception);
        return true;
    }

    /// <summary>An event without a template: its text as is, and the state itself as "State".</summary>
    private void WriteText(Serilog.ILogger target, LogEventLevel level, EventId eventId, object? state, string text, Exception? exception)
    {
        var properties = new List<LogEventProperty>(2);
        Bind(target, properties, "State", state, destructure: false);
        Emit(target, level, eventId, new MessageTemplate(text, [new TextToken(text)]), properties, exception);
    }

    private static void Bind(Serilog.ILogger target, List<LogEventProperty> properties, string name, object? value, bool destructure)
    {
        if (target.BindProperty(name, value, destructure, out LogEventProperty? property))
        {
            properties.Add(property);
        }
    }

    private static void Emit(Serilog.ILogger target, LogEventLevel level, EventId eventId, MessageTemplate template, List<LogEventProperty> properties, Exception? exception)
    {
        if (eventId.Id != 0 || eventId.Name is not null)
        {
            var fields = new List<LogEventProperty>(2);
            if (eventId.Id != 0)
            {
                fields.Add(new LogEventProperty("Id", new ScalarValue(eventId.Id)));
            }

            if (eventId.Name is not null)
            {
                fields.Add(new LogEventProperty("Name", new ScalarValue(eventId.Name)));
            }

            properties.Add(new LogEventProperty("EventId", new StructureValue(fields)));
        }

        target.Write(new LogEvent(DateTimeOffset.Now, level, exception, template, properties));
    }

    private MessageTemplate Template(string format)
    {
        if (_templates.TryGetValue(format, out MessageTemplate? template))
        {
            return template;
        }

        template = _parser.Parse(format);
        if (_templates.Count < MaxCachedTemplates)
        {
            _templates.TryAdd(format, template);
        }

        return template;
    }

    private sealed class CategoryLogger(SerilogBridge bridge, Serilog.ILogger serilog) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && serilog.IsEnabled(ToSerilog(logLevel));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Kept to two calls: this method is compiled once per state type (see the class).
            if (!IsEnabled(logLevel))
            {
                return;
            }

            LogEventLevel level = ToSerilog(logLevel);
            if (!bridge.TryWrite(serilog, level, eventId, state as IReadOnlyList<KeyValuePair<string, object?>>, exception))
            {
                bridge.WriteText(serilog, level, eventId, state, formatter(state, exception), exception);
            }
        }
    }
}
