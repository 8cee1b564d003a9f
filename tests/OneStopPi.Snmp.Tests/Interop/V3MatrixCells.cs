using System.Net;
using OneStopPi.Snmp.Security;
using OneStopPi.TestSupport;

namespace OneStopPi.Snmp.Tests.Interop.V3Matrix;

/// <summary>One SNMPv3 user of tests/peers/snmpv3/combos.sh: index, name and protocols.</summary>
public sealed record V3Combination(int Index, string User, string Auth, string Priv)
{
    public AuthProtocol AuthProtocol => Auth switch
    {
        "NONE" => AuthProtocol.None,
        "MD5" => AuthProtocol.Md5,
        "SHA" => AuthProtocol.Sha1,
        "SHA224" => AuthProtocol.Sha224,
        "SHA256" => AuthProtocol.Sha256,
        "SHA384" => AuthProtocol.Sha384,
        "SHA512" => AuthProtocol.Sha512,
        _ => throw new ArgumentException(Auth),
    };

    public PrivProtocol PrivProtocol => Priv switch
    {
        "NONE" => PrivProtocol.None,
        "DES" => PrivProtocol.Des,
        "3DES" => PrivProtocol.TripleDes,
        "AES128" => PrivProtocol.Aes128,
        "AES192B" => PrivProtocol.Aes192,
        "AES192R" => PrivProtocol.Aes192Reeder,
        "AES256B" => PrivProtocol.Aes256,
        "AES256R" => PrivProtocol.Aes256Reeder,
        _ => throw new ArgumentException(Priv),
    };

    /// <summary>net-snmp has no 3DES, so snmpd has no 3DES users (tests/peers/snmpv3/README.md).</summary>
    public bool OnSnmpd => Priv != "3DES";

    public UsmCredentials Credentials(string context = "", string authPassword = V3MatrixPeers.AuthPassword, string privPassword = V3MatrixPeers.PrivPassword) => new(
        User,
        AuthProtocol,
        AuthProtocol == AuthProtocol.None ? null : authPassword,
        PrivProtocol,
        PrivProtocol == PrivProtocol.None ? null : privPassword,
        context);

    public override string ToString() => $"{User} ({Auth}/{Priv})";
}

/// <summary>Where a cell is asked: snmpd, snmpsim's all-users engine, or snmpsim's engine for this user alone.</summary>
public sealed record V3Peer(string Name, int Port)
{
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public override string ToString() => Name;
}

/// <summary>The matrix of tests/peers/snmpv3: every combination x every peer that has it x both contexts.</summary>
public static class V3MatrixCells
{
    public static readonly string[] Auths = ["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"];
    public static readonly string[] Privs = ["NONE", "DES", "3DES", "AES128", "AES192B", "AES192R", "AES256B", "AES256R"];
    public static readonly string[] Contexts = ["", "printer"];

    public static readonly V3Peer Snmpd = new("snmpd", V3MatrixPeers.SnmpdPort);
    public static readonly V3Peer SimulatorAllUsers = new("snmpsim-all", V3MatrixPeers.SimulatorBase);

    /// <summary>The same list, in the same order, as combos.sh's gen_combos.</summary>
    public static IReadOnlyList<V3Combination> Combinations { get; } = Generate();

    public static V3Peer SimulatorSingle(V3Combination combination) => new($"snmpsim-{combination.Index}", V3MatrixPeers.SimulatorBase + combination.Index);

    public static IEnumerable<TestCaseData> Cells()
    {
        foreach (V3Combination combination in Combinations)
        {
            var peers = new List<V3Peer>();
            if (combination.OnSnmpd)
            {
                peers.Add(Snmpd);
            }

            peers.Add(SimulatorAllUsers);
            peers.Add(SimulatorSingle(combination));
            foreach (V3Peer peer in peers)
            {
                foreach (string context in Contexts)
                {
                    yield return new TestCaseData(peer, combination, context)
                        .SetName($"{peer.Name} {combination.User} context '{context}'");
                }
            }
        }
    }

    private static List<V3Combination> Generate()
    {
        var list = new List<V3Combination> { new(1, "u_noauth", "NONE", "NONE") };
        int index = 1;
        foreach (string auth in Auths)
        {
            foreach (string priv in Privs)
            {
                index++;
                list.Add(new V3Combination(index, $"u_{auth.ToLowerInvariant()}_{priv.ToLowerInvariant()}", auth, priv));
            }
        }

        return list;
    }
}
