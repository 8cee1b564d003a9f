using System.Globalization;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Hosting;
using OneStopPi.TestSupport;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace OneStopPi.Agent.Tests.Hosting;

/// <summary>
/// Every log message of the agent as it is: level, event id and name, the text an ILogger provider formats,
/// the structured property names and values, and the line Serilog writes through <see cref="SerilogBridge"/>.
/// The log files, the journal and the dealers' tooling read these; the log methods are written by hand (for
/// the size of the AOT image, docs/benchmarks.md "Fifth pass"), so a slip in a template, an id or an argument
/// fails here. Each method listed in Golden/log-messages.txt is called (by reflection: they are private) with
/// fixed arguments, and once more with nulls where it takes nullable ones. After a deliberate change,
/// ONESTOPPI_UPDATE_GOLDEN=1 rewrites the file; review its diff like code.
/// </summary>
public sealed class LogMessageTests
{
    private const string SerilogTemplate = "{Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}";

    private static readonly Assembly[] AgentAssemblies = [typeof(SerilogBridge).Assembly, typeof(Collection.Discovery.DiscoveryScanner).Assembly];

    private static string GoldenPath => Path.Combine(RepoPaths.Root, "tests", "OneStopPi.Agent.Tests", "Hosting", "Golden", "log-messages.txt");

    private static bool Update => Environment.GetEnvironmentVariable("ONESTOPPI_UPDATE_GOLDEN") == "1";

    [Test]
    public void Every_log_message_renders_as_its_golden_text()
    {
        CultureInfo culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            IReadOnlyList<MethodInfo> methods = Update ? ListedOrAttributed() : Listed(File.ReadAllText(GoldenPath));
            string actual = string.Concat(methods.Select(Render));
            if (Update)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(GoldenPath)!);
                File.WriteAllText(GoldenPath, actual);
            }

            Assert.That(methods, Has.Count.GreaterThanOrEqualTo(98), "the agent's log methods (98 when the file was made)");
            string[] expected = File.ReadAllText(GoldenPath).Split('\n');
            string[] lines = actual.Split('\n');
            for (int i = 0; i < Math.Min(expected.Length, lines.Length); i++)
            {
                Assert.That(lines[i], Is.EqualTo(expected[i]), $"line {i + 1} of {GoldenPath}");
            }

            Assert.That(lines, Has.Length.EqualTo(expected.Length));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Test]
    public void No_log_method_of_the_agent_is_generated_by_LoggerMessage()
    {
        // Each generated method brings its own state type, and ILogger.Log<TState> is compiled once per state
        // type in the AOT image (about 2.5 KiB a message); hand-written ones share one.
        string[] generated = [.. Attributed().Select(Key)];
        Assert.That(generated, Is.Empty, "write these like the others (ILogger.Log with the template and the values, after IsEnabled)");
    }

    private static IEnumerable<MethodInfo> AllMethods() =>
        AgentAssemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance));

    private static IEnumerable<MethodInfo> Attributed() => AllMethods().Where(m => m.GetCustomAttribute<LoggerMessageAttribute>() is not null);

    private static string Key(MethodInfo m) => $"{m.DeclaringType!.FullName}.{m.Name}";

    private static List<MethodInfo> Listed(string golden)
    {
        Dictionary<string, MethodInfo> byKey = AllMethods().GroupBy(Key).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single());
        var methods = new List<MethodInfo>();
        foreach (string line in golden.Split('\n').Where(l => l.StartsWith("== ", StringComparison.Ordinal)))
        {
            string key = line[3..];
            Assert.That(byKey.TryGetValue(key, out MethodInfo? method), Is.True, $"{key} (listed in the golden file) is gone or overloaded");
            methods.Add(method!);
        }

        return methods;
    }

    private static List<MethodInfo> ListedOrAttributed()
    {
        List<MethodInfo> methods = File.Exists(GoldenPath) ? Listed(File.ReadAllText(GoldenPath)) : [];
        methods.AddRange(Attributed().Where(m => !methods.Contains(m)));
        return [.. methods.OrderBy(Key, StringComparer.Ordinal)];
    }

    /// <summary>The method's calls: one with values, one more with nulls if it takes nullable arguments.</summary>
    private static string Render(MethodInfo method)
    {
        var text = new StringBuilder().Append("== ").Append(Key(method)).Append('\n');
        ParameterInfo[] parameters = method.GetParameters();
        var nullability = new NullabilityInfoContext();
        bool anyNullable = parameters.Any(p => IsNullable(p, nullability));
        Call(method, text, withNulls: false);
        if (anyNullable)
        {
            Call(method, text, withNulls: true);
        }

        return text.ToString();
    }

    private static bool IsNullable(ParameterInfo p, NullabilityInfoContext context) =>
        Nullable.GetUnderlyingType(p.ParameterType) is not null
        || (!p.ParameterType.IsValueType && context.Create(p).WriteState == NullabilityState.Nullable);

    private static void Call(MethodInfo method, StringBuilder text, bool withNulls)
    {
        var sink = new CollectingSink(SerilogTemplate);
        using Logger serilog = new Serilog.LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        using var bridge = new SerilogBridge(serilog);
        var entries = new List<string>();

        Type declaring = method.DeclaringType!;
        object? target = null;
        if (!method.IsStatic)
        {
            target = RuntimeHelpers.GetUninitializedObject(declaring);
            FieldInfo[] loggerFields = [.. declaring.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(f => typeof(ILogger).IsAssignableFrom(f.FieldType))];
            Assert.That(loggerFields, Is.Not.Empty, $"{Key(method)}: no logger field");
            foreach (FieldInfo field in loggerFields)
            {
                field.SetValue(target, Recording(field.FieldType, bridge.CreateLogger(declaring.FullName!), entries));
            }
        }

        var nullability = new NullabilityInfoContext();
        object?[] arguments = [.. method.GetParameters().Select((p, i) =>
            typeof(ILogger).IsAssignableFrom(p.ParameterType) ? Recording(p.ParameterType, bridge.CreateLogger(declaring.FullName!), entries)
            : withNulls && IsNullable(p, nullability) ? null
            : Sample(p.ParameterType, p.Name!, i))];
        method.Invoke(target, arguments);

        Assert.That(entries, Has.Count.EqualTo(1), $"{Key(method)}: one log entry per call");
        Assert.That(sink.Lines, Has.Count.EqualTo(1), $"{Key(method)}: one Serilog event per call");
        text.Append(entries[0]);
        text.Append("  serilog: ").Append(sink.Lines[0].ReplaceLineEndings("\n  | ").TrimEnd(' ', '|').TrimEnd('\n')).Append('\n');
        text.Append("  serilog properties: ").Append(string.Join("; ", sink.Events[0].Properties
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))).Append('\n');
    }

    /// <summary>Fixed values by type; a type not here fails the test, to be added.</summary>
    private static object Sample(Type type, string name, int position)
    {
        Type plain = Nullable.GetUnderlyingType(type) ?? type;
        object? value = plain switch
        {
            _ when plain == typeof(string) => $"<{name}>",
            _ when plain == typeof(int) => 10 + position,
            _ when plain == typeof(long) => 1_000_000L + position,
            _ when plain == typeof(double) => 1234.5678 + position,
            _ when plain == typeof(bool) => position % 2 == 0,
            _ when plain == typeof(TimeSpan) => TimeSpan.FromSeconds(90.25 + position),
            _ when plain == typeof(DateTimeOffset) => new DateTimeOffset(2026, 12, 7, 21, 30, 15, TimeSpan.Zero).AddMinutes(position),
            _ when plain == typeof(DateOnly) => new DateOnly(2026, 12, 7).AddDays(position),
            _ when plain == typeof(Guid) => new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
            _ when plain == typeof(IPEndPoint) => new IPEndPoint(IPAddress.Parse("192.0.2.7"), 16100 + position),
            _ when plain == typeof(Exception) => new InvalidOperationException($"<{name}> broke"),
            _ when plain.IsEnum => Enum.GetValues(plain).GetValue(Math.Min(1, Enum.GetValues(plain).Length - 1)),
            _ => null,
        };
        Assert.That(value, Is.Not.Null, $"no sample value for a {type} ({name}): add one");
        return value!;
    }

    private static ILogger Recording(Type loggerType, ILogger inner, List<string> entries)
    {
        Type? category = loggerType.IsGenericType ? loggerType.GetGenericArguments()[0] : null;
        Type recording = category is null ? typeof(Recorder<object>) : typeof(Recorder<>).MakeGenericType(category);
        return (ILogger)Activator.CreateInstance(recording, inner, entries)!;
    }

    /// <summary>Writes down what an ILogger provider gets, then passes it on to the bridge.</summary>
    private sealed class Recorder<T>(ILogger inner, List<string> entries) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state as IReadOnlyList<KeyValuePair<string, object?>>;
            string names = properties is null ? "(none)" : string.Join("; ", properties
                .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "(null)"}"));
            entries.Add($"  {logLevel} {eventId.Id} {eventId.Name}\n  text: {formatter(state, exception)}\n  exception: {exception?.Message ?? "(none)"}\n  properties: {names}\n");
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
