using System.Text;
using OneStopPi.Collection.Decoding;
using OneStopPi.Collection.Mib;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Collection.Tests.Decoding;

public sealed class ErrorStateDecoderTests
{
    [TestCase(new byte[] { 0x80, 0x00 }, "lowPaper")]
    [TestCase(new byte[] { 0x20, 0x00 }, "lowToner")]
    [TestCase(new byte[] { 0x01, 0x00 }, "serviceRequested")]
    [TestCase(new byte[] { 0x00, 0x80 }, "inputTrayMissing")]
    [TestCase(new byte[] { 0x00, 0x02 }, "overduePreventMaint")]
    [TestCase(new byte[] { 0x0C, 0x04 }, "doorOpen,jammed,inputTrayEmpty")]
    [TestCase(new byte[] { 0x08 }, "doorOpen")]
    [TestCase(new byte[] { }, "")]
    [TestCase(new byte[] { 0x00, 0x01, 0xFF }, "")]
    public void Both_octets_are_decoded_most_significant_bit_first(byte[] octets, string names)
    {
        PrinterErrors flags = ErrorStateDecoder.Decode(octets);
        Assert.That(string.Join(",", ErrorStateDecoder.Names(flags)), Is.EqualTo(names));
    }
}

public sealed class TextDecoderTests
{
    [Test]
    public void A_baked_in_hex_dump_is_decoded_back_to_text() =>
        Assert.That(TextDecoder.Clean(Encoding.ASCII.GetBytes("Black Cartridge \n38 32 37 41 20 48 50 00 ")), Is.EqualTo("Black Cartridge 827A HP"));

    [Test]
    public void A_hex_dump_continuing_a_word_is_joined_without_a_space() =>
        Assert.That(TextDecoder.Clean(Encoding.ASCII.GetBytes("\u0001\u0015HP LaserJet MF\n50 20 4D 31 33 30 6E 77 ")), Is.EqualTo("HP LaserJet MFP M130nw"));

    [Test]
    public void Text_with_a_line_break_that_is_not_hex_stays() =>
        Assert.That(TextDecoder.Clean(Encoding.ASCII.GetBytes("ENERGIESPAREN   \rTROMMEL ERSETZ. ")), Is.EqualTo("ENERGIESPAREN TROMMEL ERSETZ."));

    [Test]
    public void Trailing_nuls_and_padding_go() =>
        Assert.That(TextDecoder.Clean([.. Encoding.ASCII.GetBytes("Black Toner  "), 0, 0, 0]), Is.EqualTo("Black Toner"));

    [Test]
    public void Latin1_when_not_utf8() =>
        Assert.That(TextDecoder.Clean([0x54, 0x6F, 0x6E, 0x65, 0x72, 0x20, 0x6E, 0x6F, 0x69, 0x72, 0x20, 0xE9]), Is.EqualTo("Toner noir é"));

    [Test]
    public void Utf8_first() => Assert.That(TextDecoder.Clean(Encoding.UTF8.GetBytes("请等待")), Is.EqualTo("请等待"));

    [Test]
    public void Roman8_and_cyrillic_by_declared_charset()
    {
        Assert.That(TextDecoder.Clean(Convert.FromHexString("537461702e204b6f706965cd6e3a3031"), TextDecoder.ForIanaCharset(2004)), Is.EqualTo("Stap. Kopieën:01"));
        Assert.That(TextDecoder.Clean(Convert.FromHexString("c1dfefe9d8d920e0d5d6d8dc20202020"), TextDecoder.ForIanaCharset(8)), Is.EqualTo("Спящий режим"));
    }

    [Test]
    public void Japanese_and_korean_by_declared_charset_through_iconv()
    {
        // "トナー" (toner) in Shift_JIS, "省エネ" in EUC-JP, "토너" in EUC-KR, "碳粉" in GBK and Big5
        Assert.That(TextDecoder.Clean(Convert.FromHexString("83678369815b"), TextDecoder.ForIanaCharset(17)), Is.EqualTo("トナー"));
        Assert.That(TextDecoder.Clean(Convert.FromHexString("becaa5a8a5cd"), TextDecoder.ForIanaCharset(18)), Is.EqualTo("省エネ"));
        Assert.That(TextDecoder.Clean(Convert.FromHexString("c5e4b3ca"), TextDecoder.ForIanaCharset(38)), Is.EqualTo("토너"));
        Assert.That(TextDecoder.Clean(Convert.FromHexString("ccbcb7db"), TextDecoder.ForIanaCharset(113)), Is.EqualTo("碳粉"));
        Assert.That(TextDecoder.Clean(Convert.FromHexString("bad2afbb"), TextDecoder.ForIanaCharset(2026)), Is.EqualTo("碳粉"));
    }

    [Test]
    public void Bytes_a_charset_cannot_map_become_spaces_and_the_rest_is_kept()
    {
        // Shift_JIS "ト", a lone lead byte 0x83 followed by 0xFF (invalid), then "OK"; a truncated lead byte at the end
        Assert.That(TextDecoder.Clean(Convert.FromHexString("836783ff4f4b"), TextDecoder.ForIanaCharset(17)), Does.StartWith("ト").And.EndWith("OK"));
        Assert.That(TextDecoder.Clean(Convert.FromHexString("4f4b83"), TextDecoder.ForIanaCharset(17)), Is.EqualTo("OK"));
        Assert.That(TextDecoder.ForIanaCharset(99999), Is.Null);
    }

    [Test]
    public void A_64_KB_value_is_cut_quickly()
    {
        byte[] huge = Encoding.ASCII.GetBytes(new string('A', 65536));
        Assert.That(TextDecoder.Clean(huge), Has.Length.EqualTo(TextDecoder.MaxLength));
    }

    [Test]
    public void Nothing_readable_is_null() => Assert.That(TextDecoder.Clean([0x00, 0x20, 0x01]), Is.Null);
}

public sealed class IdentityTests
{
    [TestCase("aabbccddeeff", "aa:bb:cc:dd:ee:ff")]
    [TestCase("001BA90BA752", "00:1b:a9:0b:a7:52")]
    [TestCase("000000000000", null)]
    [TestCase("ffffffffffff", null)]
    [TestCase("", null)]
    [TestCase("0011223344", null)]
    public void Mac_from_octets(string hex, string? mac) => Assert.That(MacAddress.Format(Convert.FromHexString(hex)), Is.EqualTo(mac));

    [TestCase("00:1B:A9:0B:A7:52", "00:1b:a9:0b:a7:52")]
    [TestCase("00-1b-a9-0b-a7-52", "00:1b:a9:0b:a7:52")]
    public void Mac_sent_as_text(string text, string mac) => Assert.That(MacAddress.Format(Encoding.ASCII.GetBytes(text)), Is.EqualTo(mac));

    [TestCase("W492KB03439", "W492KB03439")]
    [TestCase("  VNCRC48198\u0000", "VNCRC48198")]
    [TestCase("SN: ABC12345", "ABC12345")]
    [TestCase("XXXXXXXXXX", null)]
    [TestCase("xxxxxxxx", null)]
    [TestCase("0000000000", null)]
    [TestCase("", null)]
    [TestCase("unknown", null)]
    [TestCase("6509415X00", "6509415X00")]
    public void Serial_placeholders_are_rejected(string text, string? serial) => Assert.That(IdentityText.Serial(text), Is.EqualTo(serial));

    [TestCase("HP Color LaserJet M452nw", "Color LaserJet M452nw")]
    [TestCase("Brother MFC-L2710DW series", "MFC-L2710DW")]
    [TestCase("Hewlett-Packard HP LaserJet 4250", "LaserJet 4250")]
    [TestCase("Dell B3460dn Laser Printer", "B3460dn")]
    public void Model_without_vendor_name(string text, string model) =>
        Assert.That(IdentityText.Model(text, ["HP", "Hewlett-Packard", "Brother", "Dell"]), Is.EqualTo(model));

    /// <summary>sysDescr / hrDeviceDescr / model objects as the recordings in samples/walks carry them.</summary>
    [TestCase("Samsung CLX-3170 Series;V1.00.01.64 Sep-27-2010;Engine 1.77.81;NIC V4.01.20(CLX-3170) 02-05-2010;S/N AAAAAAA000AAAA000", "Samsung", "CLX-3170")]
    [TestCase("Samsung ML-2850 Series OS 1.01.15.47 02-10-2010;Engine 1.01.25;NIC V4.01.09(ML-285x)", "Samsung", "ML-2850")]
    [TestCase("Samsung M4080FX; V11.01.03.04_02-27-2017;Engine V1.00.06 01-19-2017_V1.00;NIC ;S/N ", "Samsung", "M4080FX")]
    [TestCase("Samsung M408x Series", "Samsung", "M408x")]
    [TestCase("Dell B3460dn Laser Printer version NH5.CY.N543 kernel 3.0.0 All-N-1", "Dell", "B3460dn")]
    [TestCase("Dell MFP Laser 3115cn; Net 9.26, Controller 200709110910, Engine 05.09.00", "Dell", "MFP Laser 3115cn")]
    [TestCase("Xerox WorkCentre 6605DN; Network 90.66, Controller 201305012030, Engine 02.00.01", "Xerox", "WorkCentre 6605DN")]
    [TestCase("Xerox Phaser 4600; System 35.004.32.000, MCB 2.50.04.32, Network 4.02.02.08", "Xerox", "Phaser 4600")]
    [TestCase("FUJI XEROX DocuPrint CM305 df; Net 16.41,ESS 201210101131,IOT 03.00.05", "FUJI XEROX", "DocuPrint CM305 df")]
    [TestCase("FUJI XEROX ApeosPort-VI C4471;ESS1.0.217,IOT 52.54.1,FIN C5.5.0", "FUJI XEROX", "ApeosPort-VI C4471")]
    [TestCase("TOSHIBA e-STUDIO305CS version NH63.GM.N639 kernel 3.0.0 All-N-1", "TOSHIBA", "e-STUDIO305CS")]
    [TestCase("Lexmark T640 version NS.NP.N219 kernel 2.6.6 All-N-1", "Lexmark", "T640")]
    [TestCase("RICOH Aficio MP C3002 2.20 / RICOH Network Printer C model / RICOH Network Scanner C model", "RICOH", "Aficio MP C3002")]
    [TestCase("Gestetner MPC2500/DSc525 1.71 / Gestetner Network Printer C model", "Gestetner", "MPC2500/DSc525")]
    [TestCase("Canon iR-ADV C5235 /P", "Canon", "iR-ADV C5235")]
    [TestCase("Canon D1180/MF6680 /P", "Canon", "D1180/MF6680")]
    [TestCase("Brother NC-6800h, Firmware Ver.1.01  (08.12.12),MID 84UB05", "Brother", "NC-6800h")]
    [TestCase("HL-5370DW [001ba90ba752]", "Brother", "HL-5370DW")]
    [TestCase("TTP244CE Version: 7.02 EZD", "TSC", "TTP244CE")]
    [TestCase("OKI MC873 Rev.07.87", "OKI", "MC873")]
    [TestCase("FS-4200DN S/N LVT3Z12345 FW 2S0_2000.003.201", "KYOCERA", "FS-4200DN")]
    [TestCase("bizhub C3110 MAC: 00:20:6B:12:34:56", "KONICA MINOLTA", "bizhub C3110")]
    [TestCase("EPSON WF-C5790 Series", "EPSON", "WF-C5790")]
    [TestCase("Develop ineo+ 280", "Develop", "ineo+ 280")]
    [TestCase("Zebra TLP 2824 Plus", "Zebra", "TLP 2824 Plus")]
    [TestCase("HP Color LaserJet MFP M477fdw", "HP", "Color LaserJet MFP M477fdw")]
    public void Model_without_what_devices_glue_after_it(string text, string vendor, string model) =>
        Assert.That(IdentityText.Model(text, [vendor]), Is.EqualTo(model));

    [TestCase("MX-3570N 6509415X00", "6509415X00", "2.10", "MX-3570N")]
    [TestCase("P-4532DN R9L0309954 2TP_S000.003.402", "R9L0309954", "2TP_S000.003.402", "P-4532DN")]
    [TestCase("ECOSYS P2040dn 2TP_S000.003.402", null, "2TP_S000.003.402", "ECOSYS P2040dn")]
    [TestCase("ineo+ 280", null, "280", "ineo+ 280")]
    public void Model_without_the_serial_and_firmware_read_elsewhere(string text, string? serial, string? firmware, string model) =>
        Assert.That(IdentityText.Model(text, [], [serial, firmware]), Is.EqualTo(model));

    [Test]
    public void Ieee1284_fields() =>
        Assert.That(IdentityText.DeviceIdField("MANUFACTURE:OKI UK LTD;MODEL:MC873;CLASS:PRINTER;", "MDL", "MODEL"), Is.EqualTo("MC873"));
}

public sealed class SupplyTests
{
    [TestCase(54L, 100L, SupplyState.Known, 54)]
    [TestCase(17208L, 25000L, SupplyState.Known, 69)]
    [TestCase(150L, 100L, SupplyState.Known, 100)]
    [TestCase(40L, -2L, SupplyState.Known, null)]
    [TestCase(40L, 0L, SupplyState.Known, null)]
    [TestCase(-1L, 100L, SupplyState.NoLimit, null)]
    [TestCase(-2L, 100L, SupplyState.Unknown, null)]
    [TestCase(-3L, 100L, SupplyState.SomeRemaining, null)]
    [TestCase(-9L, 100L, SupplyState.Invalid, null)]
    public void Percent_only_for_a_real_level_and_maximum(long level, long max, SupplyState state, int? percent)
    {
        SupplyReading supply = ReadingBuilder.Supply(1, "Toner", SupplyType.Toner, "black", SupplyClass.Consumed, level, max, SupplyUnit.Percent, null);
        Assert.That((supply.State, supply.Percent), Is.EqualTo((state, percent)));
    }

    [TestCase("Black Cartridge HP CF410A", SupplyType.Toner, "black")]
    [TestCase("Imaging Drum HP CF219A", SupplyType.Opc, null)]
    [TestCase("Waste Toner Box", SupplyType.WasteToner, null)]
    [TestCase("Developer Cartridge (Magenta)", SupplyType.Developer, "magenta")]
    [TestCase("Fusing Unit", SupplyType.Fuser, null)]
    [TestCase("Image Transfer Belt Unit", SupplyType.TransferUnit, null)]
    [TestCase("Maintenance Kit", SupplyType.MaintenanceKit, null)]
    [TestCase("Ozone Filter", SupplyType.Unknown, null)]
    public void Type_and_colour_from_a_description(string description, SupplyType type, string? colour) =>
        Assert.That((SupplyText.InferType(description), SupplyText.InferColour(description)), Is.EqualTo((type, colour)));

    [Test]
    public void Brother_records_modern_and_legacy()
    {
        var modern = BrotherMaintenanceDecoder.Decode(Convert.FromHexString("6f01040000271041010400002580ff"));
        Assert.That(modern, Is.EqualTo(new[] { ((byte)0x6f, 10000L, (long?)null, 4), ((byte)0x41, 9600L, (long?)null, 4) }));
        var legacy = BrotherMaintenanceDecoder.Decode(Convert.FromHexString("a101020414a201020c14ff"));
        Assert.That(legacy, Is.EqualTo(new[] { ((byte)0xa1, 4L, (long?)20, 2), ((byte)0xa2, 12L, (long?)20, 2) }));
        Assert.That(BrotherMaintenanceDecoder.Decode(Convert.FromHexString("6f0104000027")), Is.Empty, "a cut record is dropped");
    }
}

public sealed class AlertCodeTests
{
    [TestCase(8, "jam")]
    [TestCase(1104, "markerTonerAlmostEmpty")]
    [TestCase(30208, "staplerJam")]
    [TestCase(30313, "stitcherEmpty")]
    [TestCase(31838, "inserterThermistorFailure")]
    [TestCase(9999, "9999")]
    public void Names(int code, string name) => Assert.That(AlertCodes.Name(code), Is.EqualTo(name));
}
