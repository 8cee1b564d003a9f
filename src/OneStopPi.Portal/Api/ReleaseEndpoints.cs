using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneStopPi.Contracts;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Hosting;
using OneStopPi.Portal.Readings;

namespace OneStopPi.Portal.Api;

/// <summary>
/// Releases and remote upgrade (docs/portal-api.md, "Remote upgrade"): operators upload a signed .deb per
/// architecture and queue "upgrade to version X" for an agent or a whole site; agents download the package
/// for their architecture over their authenticated channel.
/// </summary>
internal static class ReleaseEndpoints
{
    /// <summary>The detached signature of the uploaded .deb, base64 (of what deploy/sign-release writes).</summary>
    public const string SignatureHeader = "X-Release-Signature";

    public const string DebContentType = "application/vnd.debian.binary-package";

    private static readonly byte[] DebMagic = "!<arch>\ndebian-binary"u8.ToArray();

    public static void MapReleases(this RouteGroupBuilder operatorApi)
    {
        operatorApi.MapPut("/releases/{version}/{architecture}", UploadAsync).WithName("UploadRelease");
        operatorApi.MapGet("/releases", ListAsync).WithName("ListReleases");
        operatorApi.MapPost("/agents/{agentId:guid}/upgrade", UpgradeAgentAsync).WithName("UpgradeAgent");
        operatorApi.MapPost("/sites/{siteId:int}/upgrade", UpgradeSiteAsync).WithName("UpgradeSite");
    }

    public static void MapReleaseDownload(this RouteGroupBuilder agentApi) =>
        agentApi.MapGet("/releases/{version}/{architecture}", DownloadAsync).WithName("DownloadRelease").Produces(200, contentType: DebContentType);

    public static bool IsVersion(string? version) =>
        version is { Length: > 0 and <= 64 } && char.IsAsciiDigit(version[0]) && version.All(c => char.IsAsciiLetterOrDigit(c) || ".+-~:".Contains(c));

    public static bool IsArchitecture(string? architecture) =>
        architecture is { Length: > 0 and <= 16 } && architecture.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));

    private static async Task<IResult> UploadAsync(
        string version, string architecture, HttpContext http, PortalDbContext db, IOptions<PortalOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var o = options.Value;
        var log = loggers.CreateLogger(typeof(ReleaseEndpoints));
        IResult Refuse(int status, string title, string detail)
        {
            log.ReleaseRefused(version, architecture, status, detail);
            return Problems.Of(status, title, detail);
        }

        if (!IsVersion(version) || !IsArchitecture(architecture))
        {
            return Refuse(400, "Bad request", "the version is a Debian version (digits first, at most 64 characters) and the architecture a Debian one (arm64, amd64)");
        }

        var header = http.Request.Headers[SignatureHeader].ToString().Trim();
        if (header.Length == 0)
        {
            return Refuse(400, "Unsigned release", $"a release needs its detached signature (deploy/sign-release), base64, in the {SignatureHeader} header");
        }

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(header);
        }
        catch (FormatException)
        {
            return Refuse(400, "Bad signature", $"the {SignatureHeader} header is not base64");
        }

        var keys = ReleaseKeys.Load(o.ResolvedReleaseKeysDirectory, log);
        try
        {
            if (keys.Count == 0)
            {
                return Refuse(409, "No release key", $"the portal trusts no release key yet: put the dealer's public key (PEM) into {o.ResolvedReleaseKeysDirectory}");
            }

            PrivateFiles.CreateDirectory(o.ReleasesDirectory);
            var temporary = Path.Combine(o.ReleasesDirectory, $".upload-{Guid.NewGuid():N}.tmp");
            try
            {
                long size;
                byte[] sha256;
                try
                {
                    (size, sha256) = await ReadBodyAsync(http, temporary, o.MaxReleaseBytes).ConfigureAwait(false);
                }
                catch (UploadRejectedException e)
                {
                    return Refuse(e.StatusCode, e.Title, e.Message);
                }

                if (!await StartsWithAsync(temporary, DebMagic, http.RequestAborted).ConfigureAwait(false))
                {
                    return Refuse(400, "Not a Debian package", "the body is not a .deb (an ar archive starting with debian-binary)");
                }

                var signer = keys.FirstOrDefault(k => k.Key.VerifyHash(sha256, signature, DSASignatureFormat.Rfc3279DerSequence));
                if (signer is null)
                {
                    return Refuse(422, "Wrong signature", $"the signature does not match the package under any trusted release key ({string.Join(", ", keys.Select(k => k.Name))})");
                }

                var existing = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Version == version && r.Architecture == architecture, http.RequestAborted)
                    .ConfigureAwait(false);
                if (existing is not null)
                {
                    return existing.Sha256.AsSpan().SequenceEqual(sha256)
                        ? TypedResults.Ok(View(existing))
                        : Refuse(409, "Conflict", $"release {version} for {architecture} is already uploaded with other content; a release is never replaced: give the new build a new version");
                }

                File.Move(temporary, PackagePath(o, sha256), overwrite: true);
                var release = new Release
                {
                    Version = version, Architecture = architecture, SizeBytes = size, Sha256 = sha256, Signature = signature, UploadedAt = WholeMicroseconds(time.GetUtcNow().UtcDateTime),
                };
                db.Releases.Add(release);
                try
                {
                    await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
                }
                catch (DbUpdateException e) when (db.IsUniqueViolation(e))
                {
                    return Refuse(409, "Conflict", $"release {version} for {architecture} was uploaded concurrently; list the releases and retry if it differs");
                }

                log.ReleaseStored(version, architecture, size, Convert.ToHexStringLower(sha256), signer.Name);
                return TypedResults.Created($"/api/operator/v1/releases/{version}/{architecture}", View(release));
            }
            finally
            {
                File.Delete(temporary);
            }
        }
        finally
        {
            foreach (var key in keys)
            {
                key.Key.Dispose();
            }
        }
    }

    private static async Task<IResult> ListAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var releases = await db.Releases.AsNoTracking().OrderByDescending(r => r.UploadedAt).ThenBy(r => r.Architecture).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(releases.Select(View).ToArray());
    }

    private static async Task<IResult> UpgradeAgentAsync(
        Guid agentId, UpgradeRequest request, PortalDbContext db, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (parameter, error) = await ParameterAsync(db, request, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (!await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no agent {agentId}");
        }

        var command = Queue(db, agentId, parameter!, time);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        loggers.CreateLogger(typeof(ReleaseEndpoints)).CommandQueued(command.Id, command.Type, agentId);
        return TypedResults.Created($"/api/operator/v1/agents/{agentId}/commands", OperatorEndpoints.ToView(command));
    }

    /// <summary>One upgrade command per agent assigned to the site.</summary>
    private static async Task<IResult> UpgradeSiteAsync(
        int siteId, UpgradeRequest request, PortalDbContext db, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (parameter, error) = await ParameterAsync(db, request, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (!await db.Sites.AnyAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no site {siteId}");
        }

        var agents = await db.Agents.Where(a => a.SiteId == siteId).OrderBy(a => a.EnrolledAt).Select(a => a.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (agents.Count == 0)
        {
            return Problems.Conflict($"site {siteId} has no assigned agent to upgrade");
        }

        var commands = agents.Select(a => Queue(db, a, parameter!, time)).ToList();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var log = loggers.CreateLogger(typeof(ReleaseEndpoints));
        foreach (var command in commands)
        {
            log.CommandQueued(command.Id, command.Type, command.AgentId);
        }

        return TypedResults.Created($"/api/operator/v1/sites/{siteId}/upgrade", commands.Select(OperatorEndpoints.ToView).ToArray());
    }

    private static async Task<IResult> DownloadAsync(string version, string architecture, PortalDbContext db, IOptions<PortalOptions> options, CancellationToken cancellationToken)
    {
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Version == version && r.Architecture == architecture, cancellationToken).ConfigureAwait(false);
        var path = release is null ? null : PackagePath(options.Value, release.Sha256);
        return path is null || !File.Exists(path)
            ? Problems.NotFound($"no release {version} for {architecture}")
            : TypedResults.PhysicalFile(path, DebContentType, $"onestoppi_{version}_{architecture}.deb");
    }

    /// <summary>The command's parameter: every architecture's package of the version, so each agent picks its own.</summary>
    private static async Task<(string? Parameter, IResult? Error)> ParameterAsync(PortalDbContext db, UpgradeRequest request, CancellationToken cancellationToken)
    {
        if (!IsVersion(request.Version))
        {
            return (null, Problems.BadRequest("the version is a Debian version (digits first, at most 64 characters)"));
        }

        var packages = await db.Releases.AsNoTracking().Where(r => r.Version == request.Version).OrderBy(r => r.Architecture).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (packages.Count == 0)
        {
            return (null, Problems.NotFound($"no release {request.Version} is uploaded"));
        }

        var parameter = JsonSerializer.Serialize(new UpgradeParameter(request.Version, request.AllowDowngrade,
            [.. packages.Select(p => new UpgradePackage(p.Architecture, p.SizeBytes, Convert.ToHexStringLower(p.Sha256), Convert.ToBase64String(p.Signature)))]),
            ContractsJsonContext.Default.UpgradeParameter);
        return parameter.Length > 1024
            ? (null, Problems.BadRequest($"release {request.Version} has too many architectures for one command"))
            : (parameter, null);
    }

    private static AgentCommand Queue(PortalDbContext db, Guid agentId, string parameter, TimeProvider time)
    {
        var command = new AgentCommand
        {
            AgentId = agentId, Type = CommandTypes.Upgrade, Parameter = parameter, State = CommandState.Queued, CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Commands.Add(command);
        return command;
    }

    /// <summary>Each agent's latest upgrade in a few words: "0.2.0 queued", "upgraded to 0.2.0 (from 0.1.0)", "rolled back: …".</summary>
    public static async Task<Dictionary<Guid, UpgradeStatus>> UpgradeStatusAsync(PortalDbContext db, IReadOnlyCollection<Guid> agentIds, CancellationToken cancellationToken)
    {
        var latest = await db.Commands.AsNoTracking().Where(c => c.Type == CommandTypes.Upgrade && agentIds.Contains(c.AgentId))
            .GroupBy(c => c.AgentId).Select(g => g.Max(c => c.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var commands = await db.Commands.AsNoTracking().Where(c => latest.Contains(c.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return commands.ToDictionary(c => c.AgentId, Describe);
    }

    private static UpgradeStatus Describe(AgentCommand command)
    {
        string version;
        try
        {
            version = JsonSerializer.Deserialize(command.Parameter ?? "", ContractsJsonContext.Default.UpgradeParameter)?.Version ?? "?";
        }
        catch (JsonException)
        {
            version = "?";
        }

        var text = command.State switch
        {
            CommandState.Queued or CommandState.Delivered => $"{version} queued",
            CommandState.Acknowledged => $"upgrading to {version}",
            _ => command.Message ?? $"{version} {command.State.ToString().ToLowerInvariant()}",
        };
        return new UpgradeStatus(text, command.State == CommandState.Failed);
    }

    /// <summary>PostgreSQL keeps microseconds: the time the upload answers with is the one the list shows later.</summary>
    private static DateTime WholeMicroseconds(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMicrosecond, t.Kind);

    private static ReleaseView View(Release r) => new(r.Version, r.Architecture, r.SizeBytes, Convert.ToHexStringLower(r.Sha256), r.UploadedAt);

    /// <summary>Absolute (PhysicalFile needs it), whatever the configured data directory.</summary>
    private static string PackagePath(PortalOptions options, byte[] sha256) =>
        Path.GetFullPath(Path.Combine(options.ReleasesDirectory, Convert.ToHexStringLower(sha256) + ".deb"));

    /// <summary>The body into a file, hashed on the way, refusing (413) more than <paramref name="maxBytes"/>.</summary>
    private static async Task<(long Size, byte[] Sha256)> ReadBodyAsync(HttpContext http, string path, long maxBytes)
    {
        if (http.Request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var file = PrivateFiles.Create(path, FileMode.CreateNew);
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[81920];
            long total = 0;
            try
            {
                int n;
                while ((n = await http.Request.Body.ReadAsync(buffer, http.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    total += n;
                    if (total > maxBytes)
                    {
                        throw TooLarge(maxBytes);
                    }

                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), http.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw TooLarge(maxBytes);
            }

            file.Flush(flushToDisk: true);
            return (total, hash.GetHashAndReset());
        }
    }

    private static async Task<bool> StartsWithAsync(string path, byte[] prefix, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        await using (file.ConfigureAwait(false))
        {
            var head = new byte[prefix.Length];
            return await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) == head.Length
                && head.AsSpan().SequenceEqual(prefix);
        }
    }

    private static UploadRejectedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"The release exceeds {maxBytes} bytes (Portal:MaxReleaseBytes).");
}

/// <summary>An agent's latest upgrade in a few words; Failed when refused or rolled back.</summary>
internal sealed record UpgradeStatus(string Text, bool Failed);

/// <summary>A trusted release public key and its file name.</summary>
internal sealed record ReleaseKey(string Name, ECDsa Key);

/// <summary>The release public keys: every *.pem in the configured directory that is an EC P-256 public key.</summary>
internal static class ReleaseKeys
{
    public static List<ReleaseKey> Load(string directory, ILogger log)
    {
        var keys = new List<ReleaseKey>();
        if (!Directory.Exists(directory))
        {
            return keys;
        }

        foreach (var path in Directory.EnumerateFiles(directory, "*.pem").Order(StringComparer.Ordinal))
        {
            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(path));
                if (key.KeySize != 256)
                {
                    throw new CryptographicException($"a {key.KeySize}-bit key, not P-256");
                }

                keys.Add(new ReleaseKey(Path.GetFileName(path), key));
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException or IOException)
            {
                key.Dispose();
                log.ReleaseKeyUnusable(path, e.Message);
            }
        }

        return keys;
    }
}
