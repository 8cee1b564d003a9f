namespace OneStopPi.Snmp.Tests.Messages;

/// <summary>
/// Datagrams captured with net-snmp 5.9.3's <c>-d</c> packet dump against the interop peers
/// (tests/peers/snmpv3: snmpd 127.0.0.1:16100 with engine ID text "snmpd-probe"; snmpsim 0.4.5).
/// </summary>
internal static class CapturedPackets
{
    /// <summary><c>snmpget -v2c -c public HOST 1.3.6.1.2.1.1.1.0</c>: request-id 0x1AC91718.</summary>
    public const string V2cGetSysDescr = "302902010104067075626C6963A01C02041AC91718020100020100300E300C06082B060102010101000500";

    /// <summary>The same with <c>-v1</c>: request-id 0x6C39FA26.</summary>
    public const string V1GetSysDescr = "302902010004067075626C6963A01C02046C39FA26020100020100300E300C06082B060102010101000500";

    /// <summary><c>snmpget -v2c</c> of sysDescr.0 and prtMarkerSuppliesLevel.1.1 to snmpd: request-id 0x241B379B.</summary>
    public const string V2cGetTwo = "303B02010104067075626C6963A02E0204241B379B0201000201003020300C06082B060102010101000500"
        + "3010060C2B060102012B0B01010901010500";

    /// <summary>snmpd's answer to <see cref="V2cGetTwo"/>.</summary>
    public const string V2cResponseTwo = "307A02010104067075626C6963A26D0204241B379B020100020100305F304906082B06010201010100043D"
        + "534E4D5050524F4245204C617365724A657420343030302053696D756C61746564205072696E74657220465720312E322E3320286E65742D736E6D7029"
        + "3012060C2B060102012B0B010109010102021964";

    /// <summary>snmpsim's v2c answer for sysDescr.0 and sysUpTime.0 (TimeTicks 123456): request-id 0x1BFC7ED1.</summary>
    public const string SnmpsimResponse = "306C02010104067075626C6963A25F02041BFC7ED1020100020100305130"
        + "3E06082B06010201010100043253"
        + "4E4D5050524F4245204C617365724A657420343030302053696D756C61746564205072696E74657220465720312E322E33"
        + "300F06082B0601020101030043 0301E240";

    /// <summary><c>snmpbulkget -v2c -c public -Cr3 HOST 1.3.6.1.2.1.1</c>: request-id 0x710B8A.</summary>
    public const string V2cGetBulk = "302602010104067075626C6963A5190203710B8A0201000201033 00C300A06062B06010201010500";

    /// <summary><c>snmpset -v2c -c public HOST 1.3.6.1.2.1.1.5.0 s hello</c>: a SetRequest-PDU [3].</summary>
    public const string V2cSetSysName = "302E02010104067075626C6963A3210204028E38CF020100020100301330110608"
        + "2B060102010105000405 68656C6C6F";

    /// <summary>net-snmp's engine discovery (RFC 3414 4): msgID 0x0BC1C494, reportable, empty user.</summary>
    public const string V3Discovery = "303E020103301102040BC1C494020300FFE30401040201030410300E0400020100020100040004000400"
        + "301404000400A00E0204699380E40201000201003000";

    /// <summary>snmpd's Report to <see cref="V3Discovery"/>: usmStatsUnknownEngineIDs.0 = 2, boots 1, time 12.</summary>
    public const string V3DiscoveryReport = "306F020103301102040BC1C494020300FFE30401000201030420301E041080001F8804736E6D70642D"
        + "70726F626502010102010C0400040004003035041080001F8804736E6D70642D70726F62650400A81F0204699380E4020100020100"
        + "3011300F060A2B060106030F01010400410102";

    /// <summary>
    /// GET sysDescr.0 as user u_sha_aes128 (SHA / AES-128, authpass-1234 / privpass-5678), authPriv,
    /// msgID 0x0BC1C493, to engine 80001F8804736E6D70642D70726F6265, boots 1, time 12.
    /// </summary>
    public const string V3AuthPrivRequest = "30818E020103301102040BC1C493020300FFE30401070201030440303E041080001F8804736E6D7064"
        + "2D70726F626502010102010C040C755F7368615F616573313238040C34844C24408B86626C1F96CA040884F8098D111E47B40434FEE262"
        + "3E3403C184FBFEC2B1A701AA2E24DA08560CEC7B04BF390980F40CA50133937276C81187204E174A9511A25F8D2A0023E8";

    /// <summary>snmpd's authPriv Response to <see cref="V3AuthPrivRequest"/>.</summary>
    public const string V3AuthPrivResponse = "3081CB020103301102040BC1C493020300FFE30401030201030440303E041080001F8804736E6D70"
        + "642D70726F626502010102010C040C755F7368615F616573313238040C36EE1A3451BA8325D3402EBA0408310862CD18FE2B580471B4"
        + "2068AA4FBB52D812475B9049A339F91ADEC6DA67AD2D3EA292CA95222EF0438F7CE590470B147A1C3DD81142572F5956A1647E278D4A"
        + "60D32651B79CF61ED35E9FEBEF17357AF068CD8CDF8015C69338554386E7D4E743F669290F140C4C70A08E3D1A6A34931E33436402FE"
        + "C7EB6BF5";

    public const string SnmpdEngineId = "80001F8804736E6D70642D70726F6265";

    public const string SnmpdSysDescr = "SNMPPROBE LaserJet 4000 Simulated Printer FW 1.2.3 (net-snmp)";

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>Every captured datagram, for the robustness tests.</summary>
    public static IEnumerable<TestCaseData> All()
    {
        yield return new TestCaseData(V2cGetSysDescr).SetArgDisplayNames(nameof(V2cGetSysDescr));
        yield return new TestCaseData(V1GetSysDescr).SetArgDisplayNames(nameof(V1GetSysDescr));
        yield return new TestCaseData(V2cGetTwo).SetArgDisplayNames(nameof(V2cGetTwo));
        yield return new TestCaseData(V2cResponseTwo).SetArgDisplayNames(nameof(V2cResponseTwo));
        yield return new TestCaseData(SnmpsimResponse).SetArgDisplayNames(nameof(SnmpsimResponse));
        yield return new TestCaseData(V2cGetBulk).SetArgDisplayNames(nameof(V2cGetBulk));
        yield return new TestCaseData(V3Discovery).SetArgDisplayNames(nameof(V3Discovery));
        yield return new TestCaseData(V3DiscoveryReport).SetArgDisplayNames(nameof(V3DiscoveryReport));
        yield return new TestCaseData(V3AuthPrivRequest).SetArgDisplayNames(nameof(V3AuthPrivRequest));
        yield return new TestCaseData(V3AuthPrivResponse).SetArgDisplayNames(nameof(V3AuthPrivResponse));
    }
}
