using System.CommandLine;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Upgrade;
using Serilog;
using Serilog.Events;

namespace OneStopPi.Agent.Cli;

/// <summary>
/// <c>onestoppi upgrade-helper</c>: the privileged half of a remote upgrade, started as root by
/// systemd/onestoppi-upgrade.path (not for people: hidden from the help). Resumes its journal or takes on
/// the agent's request, and returns when the upgrade has an outcome. deploy/README.md, "Remote upgrade".
/// </summary>
internal static class UpgradeHelperCommand
{
    public static Command Create()
    {
        var agentState = new Option<string>("--agent-state")
        {
            Description = "the agent's state directory (holds upgrade/request.json)", DefaultValueFactory = _ => UpgradePaths.DefaultAgentState,
        };
        var helperDirectory = new Option<string?>("--helper-dir")
        {
            Description = $"the helper's own directory: journal, kept packages (default $STATE_DIRECTORY, else {UpgradePaths.DefaultHelperDirectory})",
        };
        var releaseKey = new Option<string?>("--release-key")
        {
            Description = $"the release public key (default ${UpgradePaths.ReleaseKeyVariable}, else {UpgradePaths.DefaultReleaseKey})",
        };
        var wait = new Option<int>("--wait-seconds")
        {
            Description = "how long the new version has to reach the portal", DefaultValueFactory = _ => (int)UpgradeHelper.DefaultWaitLimit.TotalSeconds,
        };
        var command = new Command("upgrade-helper", "install a handed-over release as root, with rollback (systemd starts this)")
        {
            agentState, helperDirectory, releaseKey, wait,
        };
        command.Hidden = true;
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? unitState = Environment.GetEnvironmentVariable("STATE_DIRECTORY")?.Split(':')[0];
            string helper = parse.GetValue(helperDirectory) ?? (string.IsNullOrEmpty(unitState) ? UpgradePaths.DefaultHelperDirectory : unitState);
            var paths = new UpgradePaths(parse.GetValue(agentState)!, helper, parse.GetValue(releaseKey) ?? UpgradePaths.ReleaseKeyFrom(Environment.GetEnvironmentVariable));
            using Serilog.Core.Logger serilog = new LoggerConfiguration().MinimumLevel.Information()
                .WriteTo.Console(outputTemplate: "{Level:u3} {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: LogEventLevel.Verbose)
                .CreateLogger();
            using var loggers = new SerilogBridge(serilog);
            var upgrade = new UpgradeHelper(paths, new DpkgInstaller(), new SystemctlAgentService(), TimeProvider.System, loggers.CreateLogger<UpgradeHelper>(),
                TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(wait))));
            try
            {
                await upgrade.RunAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or UpgradeToolException)
            {
                // The journal stays: the next start (the path unit, or the next boot) resumes where this stopped.
                serilog.Error(e, "The upgrade helper stopped; the next start resumes from its journal");
                await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false); // not a hot loop of path-unit starts
                return 1;
            }
        });
        return command;
    }
}
