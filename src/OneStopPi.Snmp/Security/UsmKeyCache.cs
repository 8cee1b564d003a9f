using System.Collections.Concurrent;
using System.Text;

namespace OneStopPi.Snmp.Security;

/// <summary>The keys one user needs for one engine (RFC 3414 2.6).</summary>
internal sealed record UsmLocalizedKeys(byte[] AuthKey, byte[]? PrivKey);

/// <summary>
/// Caches master keys per (protocol, password), since the password-to-key expansion hashes 1 MiB,
/// and localized keys per (user, engine), so a fleet that shares one v3 user costs one expansion.
/// </summary>
internal sealed class UsmKeyCache
{
    private const int MaxLocalizedEntries = 65536;
    private readonly ConcurrentDictionary<(AuthProtocol, string), byte[]> _masterKeys = new();
    private readonly ConcurrentDictionary<(UsmCredentials, string), UsmLocalizedKeys> _localized = new();

    public UsmLocalizedKeys? Get(UsmCredentials credentials, byte[] engineId)
    {
        if (credentials.Auth == AuthProtocol.None)
        {
            return null;
        }

        var key = (credentials, Convert.ToHexString(engineId));
        if (_localized.TryGetValue(key, out UsmLocalizedKeys? keys))
        {
            return keys;
        }

        byte[] authKey = UsmKeys.Localize(credentials.Auth, MasterKey(credentials.Auth, credentials.AuthPassword!), engineId);
        byte[]? privKey = credentials.Priv == PrivProtocol.None
            ? null
            : UsmKeys.LocalizedPrivKeyFromMaster(credentials.Auth, credentials.Priv, MasterKey(credentials.Auth, credentials.PrivPassword!), engineId);
        if (_localized.Count >= MaxLocalizedEntries)
        {
            _localized.Clear();
        }

        return _localized.GetOrAdd(key, new UsmLocalizedKeys(authKey, privKey));
    }

    private byte[] MasterKey(AuthProtocol auth, string password) =>
        _masterKeys.GetOrAdd((auth, password), static k => UsmKeys.PasswordToKey(k.Item1, Encoding.UTF8.GetBytes(k.Item2)));
}
