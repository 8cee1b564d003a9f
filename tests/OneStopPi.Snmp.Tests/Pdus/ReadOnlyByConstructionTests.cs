using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Transport;
using static OneStopPi.Snmp.Tests.Messages.CapturedPackets;

namespace OneStopPi.Snmp.Tests.Pdus;

/// <summary>
/// Issue 2: "there is no way to build a SET PDU (nor any other write PDU) through the public API".
/// RFC 3416 3: the PDU tags are [0] Get, [1] GetNext, [2] Response, [3] Set, [5] GetBulk,
/// [6] Inform, [7] SNMPv2-Trap, [8] Report; RFC 1157 4.1.6: [4] Trap (v1).
/// </summary>
[TestFixture]
public sealed partial class ReadOnlyByConstructionTests
{
    private static readonly Assembly Library = typeof(Pdu).Assembly;
    private static readonly PduType[] ReadTypes = [PduType.GetRequest, PduType.GetNextRequest, PduType.GetBulkRequest];
    private static readonly PduType[] AnswerTypes = [PduType.Response, PduType.Report];

    [Test]
    public void PduType_has_only_the_read_requests_and_the_answers()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Enum.GetValues<PduType>().Select(t => (int)t), Is.EquivalentTo(new[] { 0xA0, 0xA1, 0xA2, 0xA5, 0xA8 }));
            Assert.That(Enum.IsDefined((PduType)0xA3), Is.False, "SetRequest [3]");
            Assert.That(Enum.GetNames<PduType>(), Has.None.Contains("Set").IgnoreCase);
            Assert.That(Enum.GetNames<PduType>(), Has.None.Contains("Trap").IgnoreCase);
            Assert.That(Enum.GetNames<PduType>(), Has.None.Contains("Inform").IgnoreCase);
        });
    }

    [Test]
    public void Pdu_has_no_public_constructor_and_cannot_be_derived()
    {
        Type pdu = typeof(Pdu);
        Assert.Multiple(() =>
        {
            Assert.That(pdu.GetConstructors(BindingFlags.Public | BindingFlags.Instance), Is.Empty);
            Assert.That(pdu.GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Where(c => c.IsFamily || c.IsFamilyOrAssembly), Is.Empty);
            Assert.That(pdu.IsSealed, Is.True);
        });
    }

    [Test]
    public void Every_public_way_to_make_a_Pdu_makes_a_read_request_or_an_answer()
    {
        // Every public member anywhere in the library that hands out a Pdu, called with sample arguments.
        MethodInfo[] factories = [.. Library.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.ReturnType == typeof(Pdu) && !m.IsSpecialName)];
        PropertyInfo[] properties = [.. Library.GetExportedTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(p => p.PropertyType == typeof(Pdu))];

        Assert.Multiple(() =>
        {
            Assert.That(factories.Where(m => m.DeclaringType != typeof(Pdu) || !m.IsStatic).Select(m => $"{m.DeclaringType}.{m.Name}"), Is.Empty,
                "only Pdu's own static factories may build a Pdu");
            Assert.That(factories.Select(m => m.Name), Is.EquivalentTo(new[] { "GetRequest", "GetNextRequest", "GetBulkRequest", "Response", "Report" }));
            Assert.That(properties.Select(p => $"{p.DeclaringType!.Name}.{p.Name}"), Is.EquivalentTo(new[] { "CommunityMessage.Pdu", "ScopedPdu.Pdu" }),
                "properties only pass on a Pdu that was built elsewhere");
            foreach (MethodInfo factory in factories)
            {
                var pdu = (Pdu)factory.Invoke(null, [.. factory.GetParameters().Select(SampleArgument)])!;
                Assert.That(ReadTypes.Concat(AnswerTypes), Does.Contain(pdu.Type), factory.Name);
            }
        });
    }

    [Test]
    public void No_public_member_of_the_library_is_named_like_a_write()
    {
        var offending = new List<string>();
        foreach (Type type in Library.GetExportedTypes())
        {
            if (IsWriteName(type.Name))
            {
                offending.Add(type.FullName!);
            }

            foreach (MemberInfo member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (IsWriteName(member.Name))
                {
                    offending.Add($"{type.FullName}.{member.Name}");
                }
            }
        }

        Assert.That(offending, Is.Empty);
    }

    [TestCase("SetRequest", true)]
    [TestCase("SetAsync", true)]
    [TestCase("SetBulkRequestAsync", true)]
    [TestCase("Trap", true)]
    [TestCase("SendTrapAsync", true)]
    [TestCase("InformRequest", true)]
    [TestCase("get_Settings", false)]
    [TestCase("GetRequest", false)]
    public void The_write_name_pattern_catches_what_it_should(string name, bool isWrite)
    {
        Assert.That(IsWriteName(name), Is.EqualTo(isWrite));
    }

    [Test]
    public async Task The_client_refuses_to_send_an_answer_pdu()
    {
        // SendAsync takes whatever the factories make; Response and Report are not requests, so nothing is sent.
        await using var client = new SnmpClient();
        var target = new SnmpTarget(new IPEndPoint(IPAddress.Parse("127.0.91.250"), 9), new CommunityCredentials(SnmpVersion.V2c, "public"));
        Assert.Multiple(() =>
        {
            Assert.That(async () => await client.SendAsync(target, id => Pdu.Response(id, SnmpErrorStatus.NoError, 0, [])), Throws.ArgumentException);
            Assert.That(async () => await client.SendAsync(target, id => Pdu.Report(id, [])), Throws.ArgumentException);
        });
        Assert.Multiple(() =>
        {
            Assert.That(client.Statistics.DatagramsSent, Is.Zero);
            Assert.That(client.InFlight, Is.Zero);
        });
    }

    [TestCase(0xA3, TestName = "SetRequest [3]")]
    [TestCase(0xA4, TestName = "v1 Trap [4]")]
    [TestCase(0xA6, TestName = "InformRequest [6]")]
    [TestCase(0xA7, TestName = "SNMPv2-Trap [7]")]
    [TestCase(0xA9, TestName = "unassigned [9]")]
    public void Decoding_a_write_or_notification_pdu_is_refused(int tag)
    {
        byte[] datagram = Bytes(V2cSetSysName); // net-snmp's snmpset, tag 0xA3 at offset 13
        Assert.That(datagram[13], Is.EqualTo(0xA3));
        datagram[13] = (byte)tag;
        Assert.That(() => CommunityMessage.Decode(datagram), Throws.TypeOf<SnmpDecodeException>().With.Message.Contains("PDU type"));
    }

    private static bool IsWriteName(string name) => WriteName().IsMatch(name);

    [GeneratedRegex(@"(^|[a-z_])(Set\w*Request|Set(Async)?$|SetAsync|Trap|Inform)", RegexOptions.CultureInvariant)]
    private static partial Regex WriteName();

    private static object? SampleArgument(ParameterInfo parameter) => parameter.ParameterType switch
    {
        Type t when t == typeof(int) => 1,
        Type t when t == typeof(SnmpErrorStatus) => SnmpErrorStatus.NoError,
        Type t when t == typeof(IEnumerable<ObjectIdentifier>) => new ObjectIdentifier[] { "1.3.6.1.2.1.1.1.0" },
        Type t when t == typeof(IReadOnlyList<Varbind>) => new[] { new Varbind("1.3.6.1.2.1.1.1.0", SnmpValue.OctetString("x")) },
        _ => throw new NotSupportedException($"No sample for {parameter.ParameterType} ({parameter.Member.Name}): extend the test."),
    };
}
