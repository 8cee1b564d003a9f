using OneStopPi.Snmp;

namespace OneStopPi.Collection;

/// <summary>
/// The site's SNMP credentials and the order they are tried in for one address: the one that worked there
/// last time first, then the others in the site's order. No credentials at all means SNMPv2c "public", the
/// factory default of nearly every printer. The CLI, the service's scan and discovery all go through this.
/// </summary>
public sealed class CredentialPlan
{
    /// <summary>What is tried when the site names no credential.</summary>
    public static readonly SnmpCredentials Default = new CommunityCredentials(SnmpVersion.V2c, "public");

    public CredentialPlan(IReadOnlyList<SnmpCredentials> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        Credentials = credentials.Count > 0 ? credentials : [Default];
    }

    /// <summary>Never empty.</summary>
    public IReadOnlyList<SnmpCredentials> Credentials { get; }

    public int Count => Credentials.Count;

    public SnmpCredentials this[int index] => Credentials[index];

    /// <summary>The index tried first: <paramref name="preferred"/> when it is one of ours, else the first.</summary>
    public int First(int? preferred) => preferred is int p && p >= 0 && p < Credentials.Count ? p : 0;

    /// <summary>Every index once, <paramref name="preferred"/> first (ignored when out of range), the rest in order.</summary>
    public IEnumerable<int> Order(int? preferred)
    {
        int first = First(preferred);
        yield return first;
        for (int i = 0; i < Credentials.Count; i++)
        {
            if (i != first)
            {
                yield return i;
            }
        }
    }
}
