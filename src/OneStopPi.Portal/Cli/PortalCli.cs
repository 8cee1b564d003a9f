using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Hosting;

namespace OneStopPi.Portal.Cli;

/// <summary>
/// The <c>onestoppi-portal</c> command tree: no command (or <c>serve</c>) runs the portal; the others are
/// operator commands that call the operator API of a running portal (--portal, --token, --cert-sha256).
/// </summary>
internal static class PortalCli
{
    private static readonly Option<string> PortalOption = new("--portal")
    {
        Description = "Portal base URL (env ONESTOPPI_PORTAL_URL)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ONESTOPPI_PORTAL_URL") ?? "https://localhost:8443",
    };

    private static readonly Option<string?> TokenOption = new("--token")
    {
        Description = "Operator token (env ONESTOPPI_OPERATOR_TOKEN; the first one is in the data directory's operator.token)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ONESTOPPI_OPERATOR_TOKEN"),
    };

    private static readonly Option<string?> PinOption = new("--cert-sha256")
    {
        Description = "Trust the portal's self-signed certificate with this SHA-256 (env ONESTOPPI_PORTAL_CERT_SHA256)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ONESTOPPI_PORTAL_CERT_SHA256"),
    };

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("OneStopPi reference portal: run it (default, or 'serve'), or operate a running one")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        root.Options.Add(PortalOption);
        root.Options.Add(TokenOption);
        root.Options.Add(PinOption);
        root.SetAction((parse, _) => PortalHost.RunAsync([.. parse.UnmatchedTokens]));
        var serve = new Command("serve", "Run the portal (ASP.NET Core arguments such as --urls pass through)") { TreatUnmatchedTokensAsErrors = false };
        serve.SetAction((parse, _) => PortalHost.RunAsync([.. parse.UnmatchedTokens]));
        root.Subcommands.Add(serve);
        root.Subcommands.Add(SiteCommands(output, error));
        root.Subcommands.Add(AgentCommands(output, error));
        root.Subcommands.Add(QueueCommands(output, error));
        root.Subcommands.Add(DeviceCommands(output, error));
        root.Subcommands.Add(ExportCommands(output, error));
        root.Subcommands.Add(ReleaseCommands(output, error));
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }

    private static Command SiteCommands(TextWriter output, TextWriter error)
    {
        var name = new Option<string>("--name") { Description = "Site (customer) name", Required = true };
        var timeZone = new Option<string?>("--timezone") { Description = "IANA time zone, e.g. Europe/Berlin" };
        var create = new Command("create", "Create a site; prints its id and enrolment key (shown once)") { name, timeZone };
        Run(create, output, error, async (p, client, ct) => Print(output,
            await client.SendAsync(HttpMethod.Post, "sites", new CreateSiteRequest(p.GetValue(name)!, p.GetValue(timeZone)),
                PortalJsonContext.Default.CreateSiteRequest, PortalJsonContext.Default.SiteCreated, ct).ConfigureAwait(false),
            CliJsonContext.Default.SiteCreated));

        var list = new Command("list", "List sites");
        Run(list, output, error, async (_, client, ct) =>
            Print(output, await client.GetAsync("sites", PortalJsonContext.Default.SiteViewArray, ct).ConfigureAwait(false), CliJsonContext.Default.SiteViewArray));

        var site = new Option<int>("--site") { Description = "Site id", Required = true };
        var rotate = new Command("rotate-key", "Replace the site's enrolment key; prints the new one") { site };
        Run(rotate, output, error, async (p, client, ct) => Print(output,
            await client.SendAsync(HttpMethod.Post, $"sites/{p.GetValue(site)}/enrolment-key", new CreateSiteRequest("", null),
                PortalJsonContext.Default.CreateSiteRequest, PortalJsonContext.Default.SiteCreated, ct).ConfigureAwait(false),
            CliJsonContext.Default.SiteCreated));

        var range = new Option<string[]>("--range") { Description = "Range to scan (a.b.c.d, a.b.c.d/nn, a.b.c.d-e.f.g.h); repeat; replaces the list" };
        var exclude = new Option<string[]>("--exclude") { Description = "Address or range never to scan; repeat; replaces the list" };
        var community = new Option<string[]>("--community") { Description = "v1/v2c community, in the order to try; repeat; replaces the list" };
        var v3 = new Option<string[]>("--v3-user") { Description = "user:AUTH:authpass:PRIV:privpass[:context] (AUTH SHA256.., PRIV AES..; empty fields for noAuth/noPriv); repeat" };
        var meterTime = new Option<string?>("--meter-time") { Description = "One meter read a day at HH:mm, site time" };
        var meterTimes = new Option<string?>("--meter-times") { Description = "Several meter reads a day: HH:mm,HH:mm,... site time (replaces the list)" };
        var status = new Option<int?>("--status-interval") { Description = "Status-scan interval, minutes" };
        var poll = new Option<int?>("--poll-interval") { Description = "Command-poll interval, seconds (0 = never)" };
        var logMode = new Option<string?>("--log-mode") { Description = "normal, verbose or debug" };
        var clear = new Option<bool>("--clear-credentials") { Description = "Remove every community and v3 user" };
        var configure = new Command("configure", "Set ranges, credentials and schedule; prints the configuration (credentials hidden)")
        {
            site, range, exclude, community, v3, meterTime, meterTimes, timeZone, status, poll, logMode, clear,
        };
        Run(configure, output, error, async (p, client, ct) =>
        {
            var update = new SiteConfigUpdate(
                Many(p, range), Many(p, exclude),
                p.GetValue(clear) ? [] : Many(p, community),
                p.GetValue(clear) ? [] : Many(p, v3)?.Select(ParseV3User).ToArray(),
                p.GetValue(meterTime), p.GetValue(timeZone), p.GetValue(status), p.GetValue(poll), p.GetValue(logMode),
                p.GetValue(meterTimes)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Print(output, await client.SendAsync(HttpMethod.Patch, $"sites/{p.GetValue(site)}/config", update,
                PortalJsonContext.Default.SiteConfigUpdate, PortalJsonContext.Default.SiteConfigView, ct).ConfigureAwait(false),
                CliJsonContext.Default.SiteConfigView);
        });

        return new Command("site", "Sites, enrolment keys and their configuration") { create, list, rotate, configure };
    }

    private static Command AgentCommands(TextWriter output, TextWriter error)
    {
        var list = new Command("list", "List agents (last seen, version, outbox)");
        Run(list, output, error, async (_, client, ct) =>
            Print(output, await client.GetAsync("agents", PortalJsonContext.Default.AgentViewArray, ct).ConfigureAwait(false), CliJsonContext.Default.AgentViewArray));

        var agent = new Option<Guid>("--agent") { Description = "Agent id", Required = true };
        var site = new Option<int>("--site") { Description = "Site id", Required = true };
        var assign = new Command("assign", "Assign an enrolled agent to a site: from then on it gets the site's configuration") { agent, site };
        Run(assign, output, error, async (p, client, ct) => Print(output,
            await client.SendAsync(HttpMethod.Post, $"agents/{p.GetValue(agent)}/assign", new AssignRequest(p.GetValue(site)),
                PortalJsonContext.Default.AssignRequest, PortalJsonContext.Default.AgentView, ct).ConfigureAwait(false),
            CliJsonContext.Default.AgentView));
        return new Command("agent", "Agents") { list, assign };
    }

    private static Command QueueCommands(TextWriter output, TextWriter error)
    {
        var agent = new Option<Guid>("--agent") { Description = "Agent id", Required = true };
        var type = new Option<int>("--type")
        {
            Description = "1 restart agent, 2 force discovery, 3 upload logs, 4 delete logs, 5 set log mode, 6 walk MIB",
            Required = true,
        };
        var parameter = new Option<string?>("--parameter") { Description = "Log mode for 5; 'IP [OID]' for 6" };
        var queue = new Command("queue", "Queue a command for an agent") { agent, type, parameter };
        Run(queue, output, error, async (p, client, ct) => Print(output,
            await client.SendAsync(HttpMethod.Post, $"agents/{p.GetValue(agent)}/commands", new QueueCommandRequest(p.GetValue(type), p.GetValue(parameter)),
                PortalJsonContext.Default.QueueCommandRequest, PortalJsonContext.Default.CommandView, ct).ConfigureAwait(false),
            CliJsonContext.Default.CommandView));

        var list = new Command("list", "An agent's commands, newest first") { agent };
        Run(list, output, error, async (p, client, ct) => Print(output,
            await client.GetAsync($"agents/{p.GetValue(agent)}/commands", PortalJsonContext.Default.CommandViewArray, ct).ConfigureAwait(false),
            CliJsonContext.Default.CommandViewArray));
        return new Command("command", "The agents' command queue") { queue, list };
    }

    /// <summary>Releases (signed .deb per architecture) and the upgrade of an agent or a whole site to one of them.</summary>
    private static Command ReleaseCommands(TextWriter output, TextWriter error)
    {
        var version = new Option<string>("--version") { Description = "Package version, e.g. 0.2.0", Required = true };
        var architecture = new Option<string>("--architecture") { Description = "Debian architecture: arm64 or amd64", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "The .deb (deploy/build-deb)", Required = true };
        var signature = new Option<FileInfo?>("--signature") { Description = "Its detached signature (deploy/sign-release); default FILE.sig" };
        var upload = new Command("upload", "Upload one architecture's package of a release with its signature; the portal refuses it unless a trusted release key signed it")
        {
            version, architecture, file, signature,
        };
        Run(upload, output, error, async (p, client, ct) =>
        {
            var deb = p.GetValue(file)!;
            var sig = p.GetValue(signature) ?? new FileInfo(deb.FullName + ".sig");
            var signatureBase64 = Convert.ToBase64String(await File.ReadAllBytesAsync(sig.FullName, ct).ConfigureAwait(false));
            Print(output, await client.PutFileAsync($"releases/{Uri.EscapeDataString(p.GetValue(version)!)}/{Uri.EscapeDataString(p.GetValue(architecture)!)}",
                deb.FullName, ReleaseEndpoints.DebContentType, new Dictionary<string, string> { [ReleaseEndpoints.SignatureHeader] = signatureBase64 },
                PortalJsonContext.Default.ReleaseView, ct).ConfigureAwait(false), CliJsonContext.Default.ReleaseView);
        });

        var list = new Command("list", "Uploaded releases, newest first");
        Run(list, output, error, async (_, client, ct) =>
            Print(output, await client.GetAsync("releases", PortalJsonContext.Default.ReleaseViewArray, ct).ConfigureAwait(false), CliJsonContext.Default.ReleaseViewArray));

        var agent = new Option<Guid?>("--agent") { Description = "Upgrade this agent" };
        var site = new Option<int?>("--site") { Description = "Upgrade every agent assigned to this site (one command each)" };
        var allowDowngrade = new Option<bool>("--allow-downgrade") { Description = "Also install an older version, or the one already running" };
        var upgrade = new Command("upgrade", "Queue an upgrade to an uploaded release for an agent or a site") { version, agent, site, allowDowngrade };
        Run(upgrade, output, error, async (p, client, ct) =>
        {
            var request = new UpgradeRequest(p.GetValue(version)!, p.GetValue(allowDowngrade));
            if (p.GetValue(agent) is { } agentId)
            {
                Print(output, await client.SendAsync(HttpMethod.Post, $"agents/{agentId}/upgrade", request, PortalJsonContext.Default.UpgradeRequest,
                    PortalJsonContext.Default.CommandView, ct).ConfigureAwait(false), CliJsonContext.Default.CommandView);
            }
            else if (p.GetValue(site) is { } siteId)
            {
                Print(output, await client.SendAsync(HttpMethod.Post, $"sites/{siteId}/upgrade", request, PortalJsonContext.Default.UpgradeRequest,
                    PortalJsonContext.Default.CommandViewArray, ct).ConfigureAwait(false), CliJsonContext.Default.CommandViewArray);
            }
            else
            {
                throw new FormatException("name the agent (--agent ID) or the site (--site ID) to upgrade");
            }
        });
        return new Command("release", "Signed releases and remote upgrade (docs/portal-api.md, \"Remote upgrade\")") { upload, list, upgrade };
    }

    private static Command DeviceCommands(TextWriter output, TextWriter error)
    {
        var site = new Option<int>("--site") { Description = "Site id", Required = true };
        var list = new Command("list", "Devices of a site with their latest counters and supplies") { site };
        Run(list, output, error, async (p, client, ct) => Print(output,
            await client.GetAsync($"sites/{p.GetValue(site)}/devices", PortalJsonContext.Default.DeviceViewArray, ct).ConfigureAwait(false),
            CliJsonContext.Default.DeviceViewArray));
        return new Command("device", "Devices") { list };
    }

    private static Command ExportCommands(TextWriter output, TextWriter error)
    {
        var site = new Option<int>("--site") { Description = "Site id", Required = true };
        var from = new Option<DateTime?>("--from") { Description = "Every meter reading from this UTC time (default: the latest per device)" };
        var to = new Option<DateTime?>("--to") { Description = "... up to this UTC time (exclusive)" };
        var file = new Option<FileInfo?>("--output", "-o") { Description = "Write the CSV here instead of standard output" };
        var pick = new Option<string?>("--pick") { Description = "all (default), last (the last reading of each site day) or closest (to --at)" };
        var at = new Option<string?>("--at") { Description = "With --pick closest: the site time HH:mm each day's reading is closest to" };
        var meters = new Command("meters", "Meters as CSV for billing") { site, from, to, pick, at, file };
        Run(meters, output, error, async (p, client, ct) =>
        {
            var query = string.Join('&', new[] { ("from", p.GetValue(from)), ("to", p.GetValue(to)) }
                .Where(q => q.Item2 is not null)
                .Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2!.Value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))}")
                .Concat(new[] { ("pick", p.GetValue(pick)), ("at", p.GetValue(at)) }.Where(q => q.Item2 is not null).Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2!)}")));
            var csv = await client.GetTextAsync($"sites/{p.GetValue(site)}/meters.csv{(query.Length > 0 ? "?" + query : "")}", ct).ConfigureAwait(false);
            if (p.GetValue(file) is { } target)
            {
                await File.WriteAllTextAsync(target.FullName, csv, ct).ConfigureAwait(false);
            }
            else
            {
                await output.WriteAsync(csv).ConfigureAwait(false);
            }
        });
        return new Command("export", "Exports") { meters };
    }

    private static void Run(Command command, TextWriter output, TextWriter error, Func<ParseResult, OperatorClient, CancellationToken, Task> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(TokenOption) is not { Length: > 0 } token)
            {
                await error.WriteLineAsync("An operator token is needed: --token or ONESTOPPI_OPERATOR_TOKEN.").ConfigureAwait(false);
                return 2;
            }

            using var client = new OperatorClient(new Uri(parse.GetValue(PortalOption)!), token, parse.GetValue(PinOption));
            try
            {
                await action(parse, client, cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is OperatorRequestException or HttpRequestException or FormatException)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }
        });
    }

    private static string[]? Many(ParseResult parse, Option<string[]> option) =>
        parse.GetResult(option) is null ? null : parse.GetValue(option) ?? [];

    private static SnmpV3User ParseV3User(string value)
    {
        var parts = value.Split(':', 6);
        string? At(int i) => parts.Length > i && parts[i].Length > 0 ? parts[i] : null;
        return parts.Length < 1 || parts[0].Length == 0
            ? throw new FormatException($"--v3-user '{value}': expected user:AUTH:authpass:PRIV:privpass[:context]")
            : new SnmpV3User(parts[0], At(1), At(2), At(3), At(4), At(5));
    }

    private static void Print<T>(TextWriter output, T value, JsonTypeInfo<T> type) =>
        output.WriteLine(JsonSerializer.Serialize(value, type));
}
