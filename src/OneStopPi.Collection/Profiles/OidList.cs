using OneStopPi.Snmp;

namespace OneStopPi.Collection.Profiles;

/// <summary>OIDs in the order first added, each once (what Distinct gave, without LINQ over a value type).</summary>
internal sealed class OidList
{
    private readonly HashSet<ObjectIdentifier> _seen = [];
    private readonly List<ObjectIdentifier> _items = [];

    public IReadOnlyList<ObjectIdentifier> Items => _items;

    public void Add(ObjectIdentifier oid)
    {
        if (_seen.Add(oid))
        {
            _items.Add(oid);
        }
    }
}
