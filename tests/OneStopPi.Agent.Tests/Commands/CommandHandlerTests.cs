using System.IO.Compression;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Commands.Handlers;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Tests.Commands;

/// <summary>Each command type's handler on its own, without a portal: what it does and what it reports.</summary>
public sealed class CommandHandlerTests
{
    private static readonly PortalSession Session = new(new Uri("https://portal.test/"), Guid.NewGuid(), "agent-token");
    private DirectoryInfo _directory = null!;
    private LogControl _logs = null!;
    private FileOutbox _outbox = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("osp-command-handlers-");
        _logs = new LogControl(_directory.CreateSubdirectory("logs").FullName);
        _outbox = new FileOutbox(Path.Combine(_directory.FullName, "outbox"), new OutboxLimits(), TimeProvider.System, NullLogger<FileOutbox>.Instance);
    }

    [TearDown]
    public void TearDown() => _directory.Delete(recursive: true);

    private static PendingCommand Command(CommandType type, string? parameter = null, long id = 7) => new(id, type, parameter, DateTime.UtcNow);

    [Test]
    public async Task Restart_reports_first_and_stops_the_process_only_after_the_report()
    {
        var lifetime = new CountingLifetime();
        CommandResult result = await new RestartAgentHandler(lifetime, NullLogger<RestartAgentHandler>.Instance)
            .RunAsync(Session, Command(CommandType.RestartAgent), CancellationToken.None);

        Assert.That((result.Kind, result.Succeeded, result.Message, lifetime.StopRequests), Is.EqualTo((CommandResultKind.Done, true, "restarting", 0)));
        result.AfterReport!.Invoke();
        Assert.That(lifetime.StopRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task Force_scan_queues_a_meter_scan_with_discovery_and_reports_its_figures()
    {
        var jobs = Channel.CreateUnbounded<ScanJob>();
        Task<CommandResult> running = new ForceScanHandler(jobs.Writer).RunAsync(Session, Command(CommandType.ForceDiscoveryScan, id: 12), CancellationToken.None);

        ScanJob job = await jobs.Reader.ReadAsync();
        Assert.That((job.Kind, job.Reason, running.IsCompleted), Is.EqualTo((ScanKind.Meter, "command 12", false)));
        job.Completion!.SetResult(new ScanOutcome(5, 4, "batch-1"));
        CommandResult result = await running;
        Assert.That((result.Succeeded, result.Message), Is.EqualTo((true, "scan done: 5 device(s), 4 answered, batch batch-1")));
    }

    [Test]
    public async Task Force_scan_reports_a_failed_scan_as_a_failed_command()
    {
        var jobs = Channel.CreateUnbounded<ScanJob>();
        Task<CommandResult> running = new ForceScanHandler(jobs.Writer).RunAsync(Session, Command(CommandType.ForceDiscoveryScan), CancellationToken.None);
        (await jobs.Reader.ReadAsync()).Completion!.SetException(new IOException("disk gone"));
        CommandResult result = await running;
        Assert.That((result.Succeeded, result.Message), Is.EqualTo((false, "scan failed: disk gone")));
    }

    [TestCase("debug", true, "log mode debug")]
    [TestCase("loud", false, "unknown log mode 'loud' (normal, verbose, debug)")]
    public async Task Set_log_mode_sets_a_known_mode_and_refuses_others(string mode, bool succeeded, string message)
    {
        CommandResult result = await new SetLogModeHandler(_logs).RunAsync(Session, Command(CommandType.SetLogMode, mode), CancellationToken.None);
        Assert.That((result.Succeeded, result.Message), Is.EqualTo((succeeded, message)));
        Assert.That(_logs.Mode, Is.EqualTo(succeeded ? mode : "normal"));
    }

    [Test]
    public async Task Delete_logs_keeps_the_newest_file()
    {
        for (int day = 1; day <= 3; day++)
        {
            string path = Path.Combine(_logs.LogsDirectory, $"onestoppi-2026120{day}.log");
            await File.WriteAllTextAsync(path, "x");
            File.SetLastWriteTimeUtc(path, new DateTime(2026, 12, day, 0, 0, 0, DateTimeKind.Utc));
        }

        CommandResult result = await new DeleteLogsHandler(_logs).RunAsync(Session, Command(CommandType.DeleteLogFiles), CancellationToken.None);

        Assert.That(result.Message, Is.EqualTo("deleted 2 log file(s); the current one is kept"));
        Assert.That(Directory.GetFiles(_logs.LogsDirectory).Select(Path.GetFileName), Is.EqualTo(new[] { "onestoppi-20261203.log" }));
    }

    [Test]
    public async Task Upload_logs_zips_every_file_into_the_outbox_including_the_one_being_written()
    {
        string old = Path.Combine(_logs.LogsDirectory, "onestoppi-20261201.log");
        await File.WriteAllTextAsync(old, "yesterday\n");
        string current = Path.Combine(_logs.LogsDirectory, "onestoppi-20261202.log");
        byte[] big = new byte[3 * 1024 * 1024];
        new Random(5).NextBytes(big);
        // Serilog holds the current file open for writing.
        await using (var writer = new FileStream(current, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            await writer.WriteAsync(big);
            await writer.FlushAsync();

            CommandResult result = await new UploadLogsHandler(_logs, _outbox).RunAsync(Session, Command(CommandType.UploadLogFiles, id: 31), CancellationToken.None);
            Assert.That(result.Kind, Is.EqualTo(CommandResultKind.ResultQueued));
        }

        OutboxItem item = _outbox.Snapshot().Single();
        Assert.That((item.Kind, item.Key), Is.EqualTo((OutboxItemKind.CommandResult, "31")));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(item.Path)!, "*.tmp"), Is.Empty, "no temporary file left beside the batch");
        using ZipArchive zip = ZipFile.OpenRead(item.Path);
        Assert.That(zip.Entries.Select(e => e.Name), Is.EqualTo(new[] { "onestoppi-20261201.log", "onestoppi-20261202.log" }));
        using var copy = new MemoryStream();
        await using (Stream entry = zip.GetEntry("onestoppi-20261202.log")!.Open())
        {
            await entry.CopyToAsync(copy);
        }

        Assert.That(copy.ToArray(), Is.EqualTo(big));
    }

    [TestCase("printer.local")]
    [TestCase("10.1.0.7 1.3.6.1 extra")]
    public async Task Walk_refuses_a_parameter_the_contract_refuses(string parameter)
    {
        await using var snmp = new SnmpClient(new SnmpClientOptions());
        PortalLink link = Link();
        CommandResult result = await new WalkMibHandler(snmp, link, _outbox).RunAsync(Session, Command(CommandType.WalkMib, parameter), CancellationToken.None);

        WalkTarget.TryParse(parameter, out _, out string? expected);
        Assert.That((result.Kind, result.Succeeded, result.Message), Is.EqualTo((CommandResultKind.Done, false, expected)));
        Assert.That(_outbox.Count, Is.Zero);
    }

    private PortalLink Link()
    {
        var paths = new AgentPaths(Path.Combine(_directory.FullName, "state"), _logs.LogsDirectory, Path.Combine(_directory.FullName, "config"));
        paths.EnsureCreated();
        return new PortalLink(new AgentSettings(), paths, new PortalClient(new HttpClient()), new HardwareIdentity("test-walk", null, "test"), "0.1.0",
            TimeProvider.System, NullLogger<PortalLink>.Instance);
    }

    private sealed class CountingLifetime : IHostApplicationLifetime
    {
        public int StopRequests { get; private set; }

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => StopRequests++;
    }
}
