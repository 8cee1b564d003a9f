namespace OneStopPi.Portal.Alerts;

/// <summary>The "Portal:Alerts" configuration section: how often rules run, how deliveries are retried, the SMTP server.</summary>
internal sealed class AlertOptions
{
    public const string Section = "Portal:Alerts";

    /// <summary>Evaluation and delivery run in this process. With several portal processes on one database, turn it on in one only.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Every site's rules are evaluated this often; between those, the sites that stored a batch (see <see cref="EvaluateMinSeconds"/>).</summary>
    public int EvaluateSeconds { get; set; } = 60;

    /// <summary>
    /// The sites that stored a batch are evaluated at most this often (all of them together), so a burst of batches
    /// costs one evaluation of the sites it touched, not one of the fleet per batch; an alert waits at most this long
    /// longer. 0: at once after each batch (the tests' setting).
    /// </summary>
    public int EvaluateMinSeconds { get; set; } = 5;

    /// <summary>Sites are evaluated in groups of about this many devices (a bigger site alone): memory follows the group, not the fleet.</summary>
    public int EvaluateGroupDevices { get; set; } = 2000;

    /// <summary>The first retry waits this long, each next one twice as long, up to <see cref="RetryMaxSeconds"/>.</summary>
    public int RetryBaseSeconds { get; set; } = 30;

    public int RetryMaxSeconds { get; set; } = 3600;

    /// <summary>A delivery is given up (state failed, kept in the history) after this many attempts.</summary>
    public int MaxAttempts { get; set; } = 10;

    public int WebhookTimeoutSeconds { get; set; } = 15;

    public SmtpOptions Smtp { get; set; } = new();

    public TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(RetryMaxSeconds, RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempts - 1))));
}

/// <summary>The mail server alerts are sent through, always with STARTTLS (MailKit).</summary>
internal sealed class SmtpOptions
{
    /// <summary>Null: no mail is sent (a mail delivery fails with that cause and is retried, in case the server is configured meanwhile).</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "onestoppi-portal@localhost";

    /// <summary>
    /// The server certificate's SHA-256 (hex) to accept instead of a chain to a trusted root: for a server with a
    /// self-signed certificate. Null: the system's trust store decides.
    /// </summary>
    public string? ServerCertificateSha256 { get; set; }

    public int TimeoutSeconds { get; set; } = 30;
}
