namespace OneStopPi.Snmp.Tests.Fuzz;

/// <summary>
/// Inputs the fuzzer found that broke a property, kept after the fix so the bug stays fixed.
/// Each runs through every entry point (<see cref="SnmpFuzzer.RunTargets"/>).
/// </summary>
internal static class FuzzRegressions
{
    public static readonly (string Bug, FuzzSeedKind Kind, string Hex)[] Cases =
    [
        // Indefinite length (0x80) on the outer SEQUENCE: AsnDecoder.TryReadEncodedValue searched for the
        // end-of-contents and threw AsnContentException out of every decoder (and would have killed the
        // client's receive loop). Fixed in SnmpDecoder.TryReadTlv.
        ("indefinite length message", FuzzSeedKind.Datagram,
            "308002010105067075626c6963a22602044d2f3f6d0201000201003018300f060a2b060106030f0101020041010030050601318200"),
        ("indefinite length inside a TLV chain", FuzzSeedKind.Datagram,
            "2b808280814001040107020103043c303a040c80001f8880f00dfeedc0ffee020103020204d204"),
        ("indefinite length in a decrypted scoped PDU", FuzzSeedKind.ScopedPdu, "30072b808280814001"),
        ("indefinite length scoped PDU, constructed", FuzzSeedKind.ScopedPdu, "3080040000"),
        ("high-tag-number identifier", FuzzSeedKind.Datagram, "3f8101020100"),
    ];
}
