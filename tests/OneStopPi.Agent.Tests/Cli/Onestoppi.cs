using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Cli;

/// <summary>Runs the built CLI (onestoppi.dll, copied next to the tests) as its own process.</summary>
internal static class Onestoppi
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "onestoppi.dll");

    /// <summary>The dotnet host that runs these tests, else the one on PATH.</summary>
    private static readonly string Host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static Task<ProcessResult> RunAsync(params string[] arguments) =>
        ExternalProcess.RunAsync(Host, [Dll, .. arguments], timeout: TimeSpan.FromSeconds(60));
}

/// <summary>net-snmp's command-line tools (snmpget, snmpwalk, ...) with no MIBs loaded.</summary>
internal static class NetSnmp
{
    public static Task<ProcessResult> RunAsync(string tool, params string[] arguments) =>
        ExternalProcess.RunAsync(tool, arguments, ExternalProcess.NoMibs, TimeSpan.FromSeconds(60));
}
