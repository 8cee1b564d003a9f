using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Portal;

/// <summary>
/// The agent's standing with the portal: enrolment (once, then the token in state/enrolment.json)
/// and the configuration (fetched with its ETag, checked, cached in state/portal-config.json so the
/// agent keeps working on its last good configuration when the portal is unreachable or wrong).
/// </summary>
public sealed partial class PortalLink
{
    private readonly AgentSettings _settings;
    private readonly PortalClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger<PortalLink> _logger;
    private readonly JsonStateFile<EnrolmentState> _enrolmentFile;
    private readonly JsonStateFile<CachedPortalConfig> _configFile;
    private readonly HardwareIdentity _identity;
    private readonly string _version;
    private TaskCompletionSource _planChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _missingSettingsLogged;
    private string? _refusedETag;

    public PortalLink(AgentSettings settings, AgentPaths paths, PortalClient client, HardwareIdentity identity, string version, TimeProvider time, ILogger<PortalLink> logger)
    {
        _settings = settings;
        _client = client;
        _identity = identity;
        _version = version;
        _time = time;
        _logger = logger;
        _enrolmentFile = new JsonStateFile<EnrolmentState>(paths.State("enrolment.json"), AgentJsonContext.Default.EnrolmentState);
        _configFile = new JsonStateFile<CachedPortalConfig>(paths.State("portal-config.json"), AgentJsonContext.Default.CachedPortalConfig);
        Session = LoadSession();
        (Plan, Cached) = LoadCachedPlan();
    }

    public PortalSession? Session { get; private set; }

    /// <summary>The configuration in force (last good), or null before the first one arrives.</summary>
    public SitePlan? Plan { get; private set; }

    public CachedPortalConfig? Cached { get; private set; }

    public DateTimeOffset? LastContact { get; private set; }

    /// <summary>Completes when <see cref="Plan"/> changes.</summary>
    public Task PlanChanged => Volatile.Read(ref _planChanged).Task;

    /// <summary>Enrols if not yet enrolled. False when it cannot now (no settings, portal down, key refused).</summary>
    public async Task<bool> EnsureEnrolledAsync(CancellationToken cancellationToken)
    {
        if (Session is not null)
        {
            return true;
        }

        if (_settings.PortalUrl is null || string.IsNullOrEmpty(_settings.EnrolmentKey))
        {
            if (!_missingSettingsLogged)
            {
                LogNotConfigured();
                _missingSettingsLogged = true;
            }

            return false;
        }

        try
        {
            EnrolResponse response = await _client.EnrolAsync(_settings.PortalUrl,
                new EnrolRequest(_settings.EnrolmentKey, _identity.HardwareId, _identity.Mac, _identity.Hostname, _version), cancellationToken).ConfigureAwait(false);
            var state = new EnrolmentState(response.AgentId, response.Token, _settings.PortalUrl);
            await _enrolmentFile.SaveAsync(state, cancellationToken).ConfigureAwait(false);
            Session = new PortalSession(state.PortalUrl, state.AgentId, state.Token);
            LastContact = _time.GetUtcNow();
            LogEnrolled(response.AgentId, response.Assigned);
            return true;
        }
        catch (PortalRejectedException e)
        {
            LogEnrolmentRefused(e.Message);
            return false;
        }
        catch (PortalUnavailableException e)
        {
            LogPortalUnavailable("enrolment", e.Message);
            return false;
        }
    }

    /// <summary>Fetches the configuration if it changed; keeps the old one when the new one is bad.</summary>
    public async Task RefreshConfigAsync(CancellationToken cancellationToken)
    {
        if (Session is not { } session)
        {
            return;
        }

        try
        {
            // After a refusal, ask with the refused version's ETag: while the portal still has it, the
            // answer is 304 (no download, no second refusal logged every heartbeat).
            ConfigFetch fetch = await _client.GetConfigAsync(session, _refusedETag ?? Cached?.ETag, cancellationToken).ConfigureAwait(false);
            LastContact = _time.GetUtcNow();
            if (fetch.NotModified || fetch.Config is null)
            {
                return;
            }

            SitePlan plan;
            try
            {
                plan = SitePlan.From(fetch.Config);
            }
            catch (InvalidPortalConfigException e)
            {
                LogConfigRefused(fetch.Config.Version, e.Message);
                _refusedETag = fetch.ETag;
                return;
            }

            _refusedETag = null;

            var cached = new CachedPortalConfig(fetch.ETag, fetch.Config, _time.GetUtcNow());
            await _configFile.SaveAsync(cached, cancellationToken).ConfigureAwait(false);
            Cached = cached;
            Plan = plan;
            LogConfigApplied(fetch.Config.Version, plan.Assigned, plan.Ranges.Count, plan.Credentials.Count);
            Interlocked.Exchange(ref _planChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        catch (PortalRejectedException e) when (e.IsAuthentication)
        {
            await ForgetEnrolmentAsync(e.Message).ConfigureAwait(false);
        }
        catch (PortalRejectedException e)
        {
            LogPortalUnavailable("configuration", e.Message);
        }
        catch (PortalUnavailableException e)
        {
            LogPortalUnavailable("configuration", e.Message);
        }
    }

    /// <summary>The portal no longer knows our token: enrol again with the site key next time.</summary>
    public Task ForgetEnrolmentAsync(string reason)
    {
        LogTokenRefused(reason);
        Session = null;
        File.Delete(_enrolmentFile.Path);
        return Task.CompletedTask;
    }

    public void RecordContact() => LastContact = _time.GetUtcNow();

    private PortalSession? LoadSession()
    {
        try
        {
            EnrolmentState? state = _enrolmentFile.Load();
            return state is null ? null : new PortalSession(state.PortalUrl, state.AgentId, state.Token);
        }
        catch (StateFileCorruptException e)
        {
            LogStateUnreadable(e.Message);
            return null;
        }
    }

    private (SitePlan?, CachedPortalConfig?) LoadCachedPlan()
    {
        try
        {
            CachedPortalConfig? cached = _configFile.Load();
            return cached is null ? (null, null) : (SitePlan.From(cached.Config), cached);
        }
        catch (Exception e) when (e is StateFileCorruptException or InvalidPortalConfigException)
        {
            LogStateUnreadable(e.Message);
            return (null, null);
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogNotConfigured()
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(3001, nameof(LogNotConfigured)),
                "No portal URL or enrolment key in agent.json: not enrolled, nothing will be scanned");
        }
    }

    private void LogEnrolled(Guid agentId, bool assigned)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(3002, nameof(LogEnrolled)),
                "Enrolled with the portal as agent {AgentId} (assigned to a site: {Assigned})", agentId, assigned);
        }
    }

    private void LogEnrolmentRefused(string reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(3003, nameof(LogEnrolmentRefused)),
                "The portal refused enrolment: {Reason}", reason);
        }
    }

    private void LogPortalUnavailable(string what, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(3004, nameof(LogPortalUnavailable)),
                "Portal unavailable for {What}: {Reason}", what, reason);
        }
    }

    private void LogConfigRefused(long version, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(3005, nameof(LogConfigRefused)),
                "Configuration version {Version} refused, keeping the previous one: {Reason}", version, reason);
        }
    }

    private void LogConfigApplied(long version, bool assigned, int ranges, int credentials)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(3006, nameof(LogConfigApplied)),
                "Configuration version {Version} applied: assigned {Assigned}, {Ranges} range(s), {Credentials} credential(s)",
                version, assigned, ranges, credentials);
        }
    }

    private void LogTokenRefused(string reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(3007, nameof(LogTokenRefused)),
                "The portal refused our token ({Reason}); enrolling again", reason);
        }
    }

    private void LogStateUnreadable(string reason)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(3008, nameof(LogStateUnreadable)),
                "{Reason}; starting without it", reason);
        }
    }
}
