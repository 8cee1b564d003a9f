using System.Text.Json;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// Secrets stay secret: the agent's token, the site's enrolment key, SNMP communities and v3
/// passwords never appear in what the agent logs (files, console, the log ZIP it uploads, the
/// outcomes it reports), even in debug mode with every credential tried and failing; the state files
/// that hold them are readable by the service user only.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SecretsTests
{
    private const string Community = "osp-C0mmunity-Secret";
    private const string AuthPassword = "osp-AuthPass-Secret1";
    private const string PrivPassword = "osp-PrivPass-Secret2";
    private const string NobodyThere = "127.0.88.6";

    [Test]
    public async Task Token_enrolment_key_and_snmp_secrets_never_reach_the_logs_and_state_files_are_private()
    {
        await ServicePeers.FleetAsync();
        PortalProcess portal = await ServicePeers.PortalAsync();
        // The secret community first (the fleet answers only "public"), and a v3 user: every credential is tried
        // on the address where nothing answers.
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Secrets", SiteSetup.FleetConfig() with
        {
            Ranges = [ServicePeers.FleetRange, NobodyThere],
            Communities = [Community, "public"],
            V3Users = [new V3User("ospuser", "SHA256", AuthPassword, "AES", PrivPassword)],
            LogMode = "debug",
        });
        using var home = new AgentHome("secrets");
        home.Configure(portal, site.EnrolmentKey);
        await using AgentProcess agent = home.Start();
        Guid agentId = await SiteSetup.AssignWhenEnrolledAsync(portal, home, agent, site);

        var outcomes = new List<CommandView>();
        async Task RunAsync(int type, string? parameter = null)
        {
            CommandView queued = await portal.Operator.QueueCommandAsync(agentId, type, parameter);
            outcomes.Add(await portal.Operator.WaitForCommandAsync(agentId, queued.Id, TimeSpan.FromSeconds(120)));
        }

        await RunAsync(5, "debug");
        await RunAsync(2);
        await RunAsync(6, NobodyThere);
        await RunAsync(6, ServicePeers.Address("canonprinter_lbp") + " 1.3.6.1.2.1.1");
        await RunAsync(3);
        Assert.That(outcomes[1].Message, Does.StartWith("scan done: 5 device(s)"), "the scan went through every credential");
        Assert.That(outcomes[2].State, Is.EqualTo("failed"), "no credential got an answer where nothing listens");
        Dictionary<string, string> uploadedLogs = await portal.Operator.CommandResultAsync(outcomes[4].Id);
        Assert.That(await agent.TerminateAsync(), Is.Zero);

        string token = home.Token();
        string[] secrets = [token, site.EnrolmentKey, Community, AuthPassword, PrivPassword];
        var places = new Dictionary<string, string>
        {
            ["log files"] = home.LogText(),
            ["console"] = agent.Output,
            ["uploaded log zip"] = string.Concat(uploadedLogs.Values),
            ["command outcomes"] = string.Join('\n', outcomes.Select(o => o.Message)),
        };
        Assert.That(places["log files"], Does.Contain("Configuration version").And.Contain("Remote command"), "the logs have something to say");
        Assert.Multiple(() =>
        {
            foreach ((string place, string text) in places)
            {
                foreach (string secret in secrets)
                {
                    Assert.That(text, Does.Not.Contain(secret), $"a secret ({secret[..4]}…) in the {place}");
                }
            }
        });

        // The secrets are on disk (so the check above means something), in files only the service user reads.
        Assert.That(File.ReadAllText(Path.Combine(home.StateDirectory, "enrolment.json")), Does.Contain(token));
        Assert.That(File.ReadAllText(Path.Combine(home.StateDirectory, "portal-config.json")), Does.Contain(Community).And.Contain(AuthPassword).And.Contain(PrivPassword));
        string[] stateFiles = Directory.GetFiles(home.StateDirectory, "*", SearchOption.AllDirectories);
        Assert.That(stateFiles.Select(Path.GetFileName), Is.SupersetOf(new[] { "enrolment.json", "portal-config.json", "run.json", "devices.json" }));
        Assert.Multiple(() =>
        {
            foreach (string file in stateFiles)
            {
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), file);
            }
        });
        Assert.That(File.GetUnixFileMode(home.OutboxDirectory) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead), Is.EqualTo((UnixFileMode)0), "the outbox directory");
        using JsonDocument run = JsonDocument.Parse(File.ReadAllText(Path.Combine(home.StateDirectory, "run.json")));
        Assert.That(run.RootElement.GetRawText(), Does.Not.Contain(Community));
    }
}
