using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Contracts;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Security;

namespace OneStopPi.Portal.Api;

/// <summary>The configuration document one agent receives, and its ETag (a hash of exactly those bytes).</summary>
internal sealed record RenderedConfig(byte[] Json, string ETag);

internal sealed class AgentConfigBuilder(PortalDbContext db, CredentialVault vault)
{
    public async Task<RenderedConfig> BuildAsync(AuthenticatedAgent agent, CancellationToken cancellationToken)
    {
        var site = agent.SiteId is { } siteId
            ? await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false)
            : null;
        var config = site is null
            ? new AgentConfig(agent.Id, null, false, 0, [], [], CredentialVault.Empty,
                ScheduleConfig.ForTimes(["06:00"], "UTC", 0, 300), "normal")
            : new AgentConfig(agent.Id, site.Id, true, site.ConfigVersion, Lines(site.Ranges), Lines(site.Exclusions),
                // Decrypted only here, for an agent assigned to this very site.
                vault.Unprotect(site.Id, site.CredentialsProtected),
                SiteSettings.ScheduleOf(site),
                site.LogMode);
        var json = JsonSerializer.SerializeToUtf8Bytes(config, ContractsJsonContext.Default.AgentConfig);
        return new RenderedConfig(json, ETagOf(json));
    }

    public static string ETagOf(byte[] json) => $"\"{Secrets.Base64Url(SHA256.HashData(json).AsSpan(0, 18))}\"";

    public static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
