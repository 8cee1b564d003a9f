using System.CommandLine;
using System.Net;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Text;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Cli;

/// <summary><c>onestoppi get</c> and <c>onestoppi walk</c>: a technician's net-snmp, read-only.</summary>
internal static class SnmpCommands
{
    private static readonly ObjectIdentifier Internet = ObjectIdentifier.Parse("1.3.6.1");

    public static Command Get()
    {
        var credentials = new SnmpCredentialOptions();
        var host = new Argument<string>("host") { Description = "HOST[:PORT]" };
        var oids = new Argument<string[]>("oid") { Description = "numeric OIDs", Arity = ArgumentArity.OneOrMore };
        var command = new Command("get", "GET one or more OIDs and print them as net-snmp's snmpget -On does") { host, oids };
        credentials.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            ObjectIdentifier[] wanted = [.. parse.GetValue(oids)!.Select(ParseOid)];
            IPEndPoint endPoint = await HostEndPoint.ResolveAsync(parse.GetValue(host)!, cancellationToken).ConfigureAwait(false);
            await using var client = new SnmpClient();
            IReadOnlyList<Varbind> varbinds = await FirstAnsweringAsync(credentials.Build(parse), c => credentials.Target(endPoint, c, parse),
                target => client.GetAsync(target, wanted, cancellationToken)).ConfigureAwait(false);
            foreach (Varbind varbind in varbinds)
            {
                Console.Out.WriteLine(NetSnmpFormat.FormatVarbind(varbind));
            }

            return 0;
        }));
        return command;
    }

    public static Command Walk()
    {
        var credentials = new SnmpCredentialOptions();
        var host = new Argument<string>("host") { Description = "HOST[:PORT]" };
        var root = new Argument<string?>("oid") { Description = "subtree to walk (default 1.3.6.1)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "write to FILE; FILE.snmprec writes snmprec (OID|TAG|VALUE)" };
        var maxRepetitions = new Option<int>("--max-repetitions") { Description = "GETBULK max-repetitions", DefaultValueFactory = _ => 25 };
        var command = new Command("walk", "walk a subtree (GETBULK on v2c/v3, GETNEXT on v1)") { host, root };
        credentials.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(maxRepetitions);
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            ObjectIdentifier start = parse.GetValue(root) is { } text ? ParseOid(text) : Internet;
            IPEndPoint endPoint = await HostEndPoint.ResolveAsync(parse.GetValue(host)!, cancellationToken).ConfigureAwait(false);
            int repetitions = parse.GetValue(maxRepetitions);
            if (repetitions < 1)
            {
                throw new CliUsageException("--max-repetitions must be at least 1");
            }

            FileInfo? file = parse.GetValue(output);
            bool snmprec = file?.Extension.Equals(".snmprec", StringComparison.OrdinalIgnoreCase) == true;
            await using var client = new SnmpClient();
            IReadOnlyList<SnmpCredentials> candidates = credentials.Build(parse);

            // Find the credential that answers with the first request, then stream the rest.
            SnmpTarget target = await FirstAnsweringAsync(candidates, c => credentials.Target(endPoint, c, parse), async t =>
            {
                await client.GetNextAsync(t, [start], cancellationToken).ConfigureAwait(false);
                return t;
            }).ConfigureAwait(false);

            await using TextWriter writer = file is null
                ? new StreamWriter(Console.OpenStandardOutput(), leaveOpen: false) { AutoFlush = false }
                : new StreamWriter(file.FullName, append: false);
            try
            {
                await foreach (Varbind varbind in client.WalkAsync(target, start, new WalkOptions { MaxRepetitions = repetitions }, cancellationToken).ConfigureAwait(false))
                {
                    await writer.WriteLineAsync(snmprec ? SnmprecFormat.FormatRecord(varbind) : NetSnmpFormat.FormatVarbind(varbind)).ConfigureAwait(false);
                }
            }
            finally
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>A numeric OID that BER can carry (X.690 8.19.4: first arc 0..2, second below 40 unless the first is 2).</summary>
    private static ObjectIdentifier ParseOid(string text) =>
        ObjectIdentifier.TryParse(text, out ObjectIdentifier oid) && oid.Length >= 2 && oid[0] <= 2 && (oid[0] == 2 || oid[1] < 40)
            ? oid
            : throw new CliUsageException($"'{text}' is not a numeric OID (e.g. 1.3.6.1.2.1.1.1.0)");

    /// <summary>Tries each credential in order; a timeout moves on to the next, anything else stops.</summary>
    private static async Task<T> FirstAnsweringAsync<T>(IReadOnlyList<SnmpCredentials> candidates, Func<SnmpCredentials, SnmpTarget> targetFor, Func<SnmpTarget, ValueTask<T>> attempt)
    {
        SnmpTimeoutException? last = null;
        foreach (SnmpCredentials candidate in candidates)
        {
            try
            {
                return await attempt(targetFor(candidate)).ConfigureAwait(false);
            }
            catch (SnmpTimeoutException e)
            {
                last = e;
            }
        }

        throw last!;
    }
}
