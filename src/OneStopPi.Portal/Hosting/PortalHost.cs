using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneStopPi.Contracts;
using OneStopPi.Portal.Alerts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Readings;
using OneStopPi.Portal.Security;
using OneStopPi.Portal.Web;

namespace OneStopPi.Portal.Hosting;

/// <summary>Builds and starts the portal web application: wiring only.</summary>
internal static class PortalHost
{
    public const string DefaultUrl = "https://0.0.0.0:8443";

    /// <param name="configure">Tests replace configuration or services here (TimeProvider, data directory, URLs).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelHttpsConfiguration();
        configure?.Invoke(builder);

        var section = builder.Configuration.GetSection(PortalOptions.Section);
        var options = new PortalOptions();
        section.Bind(options);
        builder.Services.Configure<PortalOptions>(section);
        PrivateFiles.CreateDirectory(options.DataDirectory);

        AddDatabase(builder.Services, options);
        var generatedKeyEncryption = builder.Services.AddPortalKeyRing(options);
        builder.Services.AddSingleton(new KeyRingInfo(generatedKeyEncryption));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CredentialVault>();
        builder.Services.AddSingleton<WebSession>();
        builder.Services.AddScoped<OperatorTokens>();
        builder.Services.AddScoped<AgentConfigBuilder>();
        builder.Services.AddScoped<BatchIngestor>();
        builder.Services.AddScoped<DeviceQueries>();
        builder.Services.AddScoped<Forecast.SupplyForecasts>();
        builder.Services.AddPortalAlerts(builder.Configuration);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, PortalJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
        });
        builder.Services.AddPortalRateLimits(options);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();

        var (certificate, generatedPath) = TlsCertificate.Load(options);
        builder.Services.AddSingleton(new ServerCertificateInfo(TlsCertificate.Sha256(certificate), generatedPath));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + 1;
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = certificate;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            });
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl); // HTTPS unless told otherwise
        }

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Malformed requests keep their 4xx; anything else is a bare 500 problem, never a stack trace.
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/schemas/readings.xsd", async () => TypedResults.Text(await ReadingsSchema.ReadTextAsync().ConfigureAwait(false), "application/xml"))
            .WithTags("Schema").WithName("ReadingsSchema");
        app.MapAgentApi();
        app.MapOperatorApi();
        app.MapWebPages();
        return app;
    }

    /// <summary>Migrates the schema and creates the first operator token; run before the server starts.</summary>
    public static async Task InitialiseAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var options = app.Services.GetRequiredService<IOptions<PortalOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PortalHost));
        logger.Starting(options.DataDirectory, options.DatabaseProvider);
        var certificate = app.Services.GetRequiredService<ServerCertificateInfo>();
        if (certificate.GeneratedPath is { } path)
        {
            logger.SelfSignedCertificate(path, certificate.Sha256);
        }

        if (app.Services.GetRequiredService<KeyRingInfo>().GeneratedKeyEncryptionCertificate is { } keyEncryption)
        {
            logger.GeneratedKeyEncryptionCertificate(keyEncryption);
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (db is SqlitePortalDbContext)
        {
            // Readers never wait for the writer; one writer at a time (BEGIN IMMEDIATE) as SQLite requires.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        if (!await db.OperatorTokens.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            var token = await scope.ServiceProvider.GetRequiredService<OperatorTokens>().CreateAsync("first", cancellationToken).ConfigureAwait(false);
            await WriteSecretFileAsync(options.OperatorTokenFile, token, cancellationToken).ConfigureAwait(false);
            logger.OperatorTokenCreated(options.OperatorTokenFile);
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var app = Build(args);
        await InitialiseAsync(app).ConfigureAwait(false);
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }

    private static void AddDatabase(IServiceCollection services, PortalOptions options)
    {
        switch (options.DatabaseProvider.ToLowerInvariant())
        {
            case "sqlite":
                var sqlite = options.ConnectionString ?? $"Data Source={options.DatabaseFile};Pooling=True";
                services.AddDbContext<SqlitePortalDbContext>(o => o.UseSqlite(sqlite));
                services.AddScoped<PortalDbContext>(sp => sp.GetRequiredService<SqlitePortalDbContext>());
                break;
            case "postgres" or "postgresql" or "npgsql":
                var pg = options.ConnectionString
                    ?? throw new InvalidOperationException("Portal:ConnectionString is required when Portal:DatabaseProvider is postgres");
                services.AddDbContext<NpgsqlPortalDbContext>(o => o.UseNpgsql(pg));
                services.AddScoped<PortalDbContext>(sp => sp.GetRequiredService<NpgsqlPortalDbContext>());
                break;
            default:
                throw new InvalidOperationException($"Portal:DatabaseProvider '{options.DatabaseProvider}' is neither sqlite nor postgres");
        }
    }

    private static async Task WriteSecretFileAsync(string path, string secret, CancellationToken cancellationToken)
    {
        var stream = PrivateFiles.Create(path, FileMode.Create);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(secret + "\n"), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The key-encryption certificate the portal created (PostgreSQL without a configured one), else null.</summary>
internal sealed record KeyRingInfo(string? GeneratedKeyEncryptionCertificate);

/// <summary>The serving certificate's SHA-256 (for pinning) and, when the portal made it, its file.</summary>
internal sealed record ServerCertificateInfo(string Sha256, string? GeneratedPath);
