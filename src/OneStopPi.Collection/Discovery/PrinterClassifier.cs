using System.Text.RegularExpressions;
using OneStopPi.Snmp;

namespace OneStopPi.Collection.Discovery;

/// <summary>Printer or not, why, and the vendor when known.</summary>
public readonly record struct Classification(bool Printer, string Reason, string? Vendor);

/// <summary>
/// A host is a printer when the Printer-MIB answers; otherwise by vendor rules: a sysObjectID under a
/// printer maker's tree, or a sysDescr naming a printer maker or product line (for devices that do not
/// implement the Printer-MIB, or recordings that lack it). Every verdict carries its reason.
/// </summary>
public static partial class PrinterClassifier
{
    /// <summary>sysObjectID subtrees of printer makers (or of their printer divisions), with the vendor.</summary>
    private static readonly (ObjectIdentifier Prefix, string Vendor)[] PrinterTrees =
    [
        ("1.3.6.1.4.1.11.2.3.9", "HP"), // JetDirect
        ("1.3.6.1.4.1.11.1", "HP"),
        ("1.3.6.1.4.1.2435", "Brother"),
        ("1.3.6.1.4.1.1602", "Canon"),
        ("1.3.6.1.4.1.674.10898", "Dell"),
        ("1.3.6.1.4.1.18334", "Konica Minolta"),
        ("1.3.6.1.4.1.1248", "Epson"),
        ("1.3.6.1.4.1.297", "Fujifilm"),
        ("1.3.6.1.4.1.367", "Ricoh"),
        ("1.3.6.1.4.1.1347", "Kyocera"),
        ("1.3.6.1.4.1.641", "Lexmark"),
        ("1.3.6.1.4.1.2001", "OKI"),
        ("1.3.6.1.4.1.236.11", "Samsung"),
        ("1.3.6.1.4.1.2385", "Sharp"),
        ("1.3.6.1.4.1.1129", "Toshiba"),
        ("1.3.6.1.4.1.253", "Xerox"),
        ("1.3.6.1.4.1.10642", "Zebra"),
        ("1.3.6.1.4.1.683", "Zebra"), // ZebraNet print servers
        ("1.3.6.1.4.1.51966", "TSC"),
        ("1.3.6.1.4.1.5528", "Develop"),
        ("1.3.6.1.4.1.23944", "Pantum"),
    ];

    /// <summary>Makers named at the start of sysDescr, and what to report them as.</summary>
    private static readonly (string Word, string Vendor)[] DescrVendors =
    [
        ("HP", "HP"), ("Hewlett-Packard", "HP"), ("Brother", "Brother"), ("Canon", "Canon"), ("Dell", "Dell"),
        ("Konica Minolta", "Konica Minolta"), ("KONICA", "Konica Minolta"), ("Develop", "Develop"), ("EPSON", "Epson"),
        ("FUJIFILM", "Fujifilm"), ("FUJI XEROX", "Fujifilm"), ("Xerox", "Xerox"), ("RICOH", "Ricoh"), ("Gestetner", "Ricoh"),
        ("LANIER", "Ricoh"), ("NRG", "Ricoh"), ("SAVIN", "Ricoh"), ("KYOCERA", "Kyocera"), ("TA_UTAX", "Kyocera"), ("UTAX", "Kyocera"),
        ("Lexmark", "Lexmark"), ("OKI", "OKI"), ("Samsung", "Samsung"), ("SHARP", "Sharp"), ("TOSHIBA", "Toshiba"),
        ("Zebra", "Zebra"), ("ZebraNet", "Zebra"), ("Pantum", "Pantum"), ("Sindoh", "Sindoh"),
    ];

    // Run by Regex's interpreter, not [GeneratedRegex]: the interpreter is in the binary anyway for the vendor
    // profiles' patterns, and each generated matcher added its own code to the AOT image (the 19 together: 78 KiB;
    // docs/benchmarks.md "Third pass"). Same patterns, same matches; a few microseconds per description.
    /// <summary>Printer words in sysDescr for makers that also sell other things, or unnamed makers.</summary>
    private static Regex PrinterWords() => PrinterWordsPattern;

    private static readonly Regex PrinterWordsPattern = new(@"\b(printer|printing system|laser|laserjet|jetdirect|officejet|deskjet|designjet|mfp|multifunction|imagerunner|ir-adv|bizhub|ineo|e-studio|workcentre|altalink|versalink|phaser|docuprint|docucentre|apeos|aficio|okilan|print server)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Classifies one host that answered SNMP.</summary>
    public static Classification Classify(ProbeAnswers answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        string? vendor = VendorOf(answers, out string? tree);
        if (answers.PrinterMib)
        {
            return new Classification(true, "Printer-MIB answers", vendor);
        }

        if (tree is not null)
        {
            return new Classification(true, $"vendor rule: sysObjectID {answers.SysObjectId} is under {vendor}'s printer tree {tree}", vendor);
        }

        if (answers.SysDescr is { } descr && PrinterWords().Match(descr) is { Success: true } word)
        {
            return new Classification(true, $"vendor rule: sysDescr says '{word.Value}'", vendor);
        }

        if (vendor is not null && answers.SysObjectId is null)
        {
            return new Classification(true, $"vendor rule: sysDescr names printer maker {vendor} (no sysObjectID)", vendor);
        }

        return new Classification(false, answers.SysObjectId is null && answers.SysDescr is null
            ? "answers SNMP but gave no sysDescr, sysObjectID or Printer-MIB"
            : "not a printer: no Printer-MIB and no printer vendor rule matched", vendor);
    }

    /// <summary>The vendor, from the sysObjectID tree first, then the first word(s) of sysDescr.</summary>
    public static string? VendorOf(ProbeAnswers answers, out string? printerTree)
    {
        ArgumentNullException.ThrowIfNull(answers);
        printerTree = null;
        if (answers.SysObjectId is { } id)
        {
            foreach ((ObjectIdentifier prefix, string vendor) in PrinterTrees)
            {
                if (id.StartsWith(prefix))
                {
                    printerTree = prefix.ToString();
                    return vendor;
                }
            }
        }

        if (answers.SysDescr is { } descr)
        {
            foreach ((string word, string vendor) in DescrVendors)
            {
                if (descr.StartsWith(word, StringComparison.OrdinalIgnoreCase) && (descr.Length == word.Length || !char.IsLetterOrDigit(descr[word.Length])))
                {
                    return vendor;
                }
            }
        }

        return null;
    }
}
