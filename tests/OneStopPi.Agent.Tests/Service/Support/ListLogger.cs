using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>One log entry as a component wrote it.</summary>
internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message);

/// <summary>Keeps what a component logs, for tests that check what it said (and what it must never say).</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IEnumerable<LogEntry> WithId(int eventId) => _entries.Where(e => e.EventId.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception)));
}
