using System.CommandLine;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Security;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Cli;

/// <summary>The credential and timing options shared by get, walk and scan.</summary>
internal sealed class SnmpCredentialOptions
{
    public Option<string> Version { get; } = new("--snmp-version", "-v") { Description = "1, 2c or 3", DefaultValueFactory = _ => "2c" };
    public Option<string[]> Community { get; } = new("--community", "-c") { Description = "community (repeatable: tried in order; default public)" };
    public Option<string?> User { get; } = new("--user", "-u") { Description = "SNMPv3 user name" };
    public Option<string?> Auth { get; } = new("--auth", "-a") { Description = "MD5|SHA|SHA224|SHA256|SHA384|SHA512" };
    public Option<string?> AuthPass { get; } = new("--auth-pass", "-A") { Description = "authentication password" };
    public Option<string?> Priv { get; } = new("--priv", "-x") { Description = "DES|3DES|AES|AES192|AES256|AES192C|AES256C" };
    public Option<string?> PrivPass { get; } = new("--priv-pass", "-X") { Description = "privacy password" };
    public Option<string?> Context { get; } = new("--context", "-n") { Description = "SNMPv3 context name" };
    public Option<int> TimeoutMs { get; } = new("--timeout", "-t") { Description = "per-attempt timeout in milliseconds", DefaultValueFactory = _ => 2000 };
    public Option<int> Retries { get; } = new("--retries", "-r") { Description = "retransmissions after the first attempt", DefaultValueFactory = _ => 1 };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Version, Community, User, Auth, AuthPass, Priv, PrivPass, Context, TimeoutMs, Retries })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The credentials to try, in order.</summary>
    public IReadOnlyList<SnmpCredentials> Build(ParseResult parse)
    {
        string version = (parse.GetValue(Version) ?? "2c").Trim().ToLowerInvariant();
        switch (version)
        {
            case "1":
            case "2c":
            case "2":
                SnmpVersion v = version == "1" ? SnmpVersion.V1 : SnmpVersion.V2c;
                string[] communities = parse.GetValue(Community) is { Length: > 0 } given ? given : ["public"];
                return [.. communities.Select(c => new CommunityCredentials(v, c))];
            case "3":
                string user = parse.GetValue(User) ?? throw new CliUsageException("SNMPv3 needs --user");
                AuthProtocol auth = AuthProtocol.None;
                PrivProtocol priv = PrivProtocol.None;
                if (parse.GetValue(Auth) is { } authName && !UsmProtocolNames.TryParseAuth(authName, out auth))
                {
                    throw new CliUsageException($"unknown --auth '{authName}' (MD5|SHA|SHA224|SHA256|SHA384|SHA512)");
                }

                if (parse.GetValue(Priv) is { } privName && !UsmProtocolNames.TryParsePriv(privName, out priv))
                {
                    throw new CliUsageException($"unknown --priv '{privName}' (DES|3DES|AES|AES192|AES256|AES192C|AES256C)");
                }

                try
                {
                    return [new UsmCredentials(user, auth, parse.GetValue(AuthPass), priv, parse.GetValue(PrivPass), parse.GetValue(Context) ?? "")];
                }
                catch (ArgumentException e)
                {
                    throw new CliUsageException(e.Message);
                }

            default:
                throw new CliUsageException($"--snmp-version must be 1, 2c or 3, not '{version}'");
        }
    }

    public SnmpTarget Target(System.Net.IPEndPoint endPoint, SnmpCredentials credentials, ParseResult parse)
    {
        int timeout = parse.GetValue(TimeoutMs);
        int retries = parse.GetValue(Retries);
        if (timeout <= 0 || retries < 0)
        {
            throw new CliUsageException("--timeout must be positive and --retries not negative");
        }

        return new SnmpTarget(endPoint, credentials) { Timeout = TimeSpan.FromMilliseconds(timeout), Retries = retries };
    }
}
