namespace OneStopPi.Portal.Hosting;

/// <summary>The "Portal" configuration section (appsettings.json, env PORTAL__..., command line --Portal:...).</summary>
internal sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>SQLite file, Data Protection keys, generated certificate and first operator token live here.</summary>
    public string DataDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>"sqlite" (default) or "postgres".</summary>
    public string DatabaseProvider { get; set; } = "sqlite";

    /// <summary>For sqlite defaults to portal.db in <see cref="DataDirectory"/>; required for postgres.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Data Protection key ring on SQLite; defaults to keys/ in <see cref="DataDirectory"/>. On PostgreSQL the ring is in the database.</summary>
    public string? KeysDirectory { get; set; }

    /// <summary>
    /// PostgreSQL only: the PFX (RSA) the key ring's secrets in the database are encrypted to. Every portal process
    /// on the database needs the same file; without one the portal creates key-encryption.pfx in <see cref="DataDirectory"/>.
    /// </summary>
    public string? KeyEncryptionCertificatePath { get; set; }

    public string? KeyEncryptionCertificatePassword { get; set; }

    /// <summary>PFX or PEM certificate for HTTPS; without one the portal creates a self-signed one in the data directory.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificateKeyPath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Largest request body: a readings batch or command result ZIP as sent.</summary>
    public long MaxUploadBytes { get; set; } = 16 * 1024 * 1024;

    public int MaxArchiveEntries { get; set; } = 1000;

    public long MaxEntryBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Cap on the total uncompressed size of one archive (zip bombs).</summary>
    public long MaxUncompressedBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Length of the per-client-address windows below. Counted on the monotonic clock of
    /// System.Threading.RateLimiting (it takes no TimeProvider).
    /// </summary>
    public int RateLimitWindowSeconds { get; set; } = 60;

    /// <summary>POST /api/agent/v1/enrol per client address per window (an agent enrols once); 0 turns the limit off.</summary>
    public int EnrolmentAttempts { get; set; } = 5;

    /// <summary>POST /login per client address per window (an operator types a token once); 0 turns the limit off.</summary>
    public int SignInAttempts { get; set; } = 5;

    /// <summary>
    /// Refused operator bearer tokens per client address per window on /api/operator/v1 (only refusals count,
    /// so a scripted operator is never slowed); 0 turns the limit off.
    /// </summary>
    public int RefusedOperatorTokens { get; set; } = 5;

    /// <summary>
    /// Agent API calls the portal serves at once; beyond it up to <see cref="AgentRequestsQueued"/> wait their turn and
    /// the rest are answered 503 with Retry-After at once. Under a dealer's whole fleet polling together, a request
    /// waiting for a database connection would otherwise be answered 500 after the pool's 15 s timeout, and the pool
    /// running dry also starves the operators' pages (docs/reliability.md, "Portal under load"). Keep it below the
    /// database pool (Npgsql's Maximum Pool Size, 100 by default); 0 turns the limit off.
    /// </summary>
    public int AgentRequestsInFlight { get; set; } = 64;

    /// <summary>Agent API calls that may wait for one of <see cref="AgentRequestsInFlight"/>; the rest get 503.</summary>
    public int AgentRequestsQueued { get; set; } = 256;

    /// <summary>The Retry-After of a 503 for a busy portal: agents back off at least this long (their own back-off may be longer).</summary>
    public int BusyRetryAfterSeconds { get; set; } = 30;

    /// <summary>
    /// The release public keys (PEM, ECDSA P-256, one per *.pem file) an uploaded release must be signed with;
    /// defaults to release-keys/ in <see cref="DataDirectory"/>. Without one, every upload is refused.
    /// </summary>
    public string? ReleaseKeysDirectory { get; set; }

    /// <summary>Largest release package (.deb) an operator may upload.</summary>
    public long MaxReleaseBytes { get; set; } = 128 * 1024 * 1024;

    /// <summary>
    /// How long an assigned agent may go unheard (no request of any kind: heartbeats come every 5 minutes) before the
    /// pages and the operator API call it silent. An alert rule may use its own threshold on the same Agent.LastSeenAt.
    /// </summary>
    public TimeSpan AgentSilentAfter { get; set; } = TimeSpan.FromMinutes(15);

    public string ResolvedReleaseKeysDirectory => ReleaseKeysDirectory ?? Path.Combine(DataDirectory, "release-keys");

    /// <summary>Uploaded release packages, named by their SHA-256.</summary>
    public string ReleasesDirectory => Path.Combine(DataDirectory, "releases");

    public string DatabaseFile => Path.Combine(DataDirectory, "portal.db");

    public bool IsPostgres => DatabaseProvider.ToLowerInvariant() is "postgres" or "postgresql" or "npgsql";

    public string GeneratedKeyEncryptionCertificateFile => Path.Combine(DataDirectory, "key-encryption.pfx");

    public string ResolvedKeysDirectory => KeysDirectory ?? Path.Combine(DataDirectory, "keys");

    public string OperatorTokenFile => Path.Combine(DataDirectory, "operator.token");

    public string GeneratedCertificateFile => Path.Combine(DataDirectory, "portal-cert.pfx");
}
