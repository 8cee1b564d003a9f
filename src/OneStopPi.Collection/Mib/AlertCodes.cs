using System.Collections.Frozen;
using System.Globalization;

namespace OneStopPi.Collection.Mib;

/// <summary>PrtAlertCodeTC names (IANA-PRINTER-MIB). Finisher codes (30203..31838) are built from the subunit names.</summary>
internal static class AlertCodes
{
    private static readonly FrozenDictionary<int, string> Names = new Dictionary<int, string>
    {
        [1] = "other", [2] = "unknown", [3] = "coverOpen", [4] = "coverClosed", [5] = "interlockOpen",
        [6] = "interlockClosed", [7] = "configurationChange", [8] = "jam", [9] = "subunitMissing",
        [10] = "subunitLifeAlmostOver", [11] = "subunitLifeOver", [12] = "subunitAlmostEmpty", [13] = "subunitEmpty",
        [14] = "subunitAlmostFull", [15] = "subunitFull", [16] = "subunitNearLimit", [17] = "subunitAtLimit",
        [18] = "subunitOpened", [19] = "subunitClosed", [20] = "subunitTurnedOn", [21] = "subunitTurnedOff",
        [22] = "subunitOffline", [23] = "subunitPowerSaver", [24] = "subunitWarmingUp", [25] = "subunitAdded",
        [26] = "subunitRemoved", [27] = "subunitResourceAdded", [28] = "subunitResourceRemoved",
        [29] = "subunitRecoverableFailure", [30] = "subunitUnrecoverableFailure",
        [31] = "subunitRecoverableStorageError", [32] = "subunitUnrecoverableStorageError",
        [33] = "subunitMotorFailure", [34] = "subunitMemoryExhausted", [35] = "subunitUnderTemperature",
        [36] = "subunitOverTemperature", [37] = "subunitTimingFailure", [38] = "subunitThermistorFailure",
        [501] = "doorOpen", [502] = "doorClosed", [503] = "powerUp", [504] = "powerDown", [505] = "printerNMSReset",
        [506] = "printerManualReset", [507] = "printerReadyToPrint",
        [801] = "inputMediaTrayMissing", [802] = "inputMediaSizeChange", [803] = "inputMediaWeightChange",
        [804] = "inputMediaTypeChange", [805] = "inputMediaColorChange", [806] = "inputMediaFormPartsChange",
        [807] = "inputMediaSupplyLow", [808] = "inputMediaSupplyEmpty", [809] = "inputMediaChangeRequest",
        [810] = "inputManualInputRequest", [811] = "inputTrayPositionFailure", [812] = "inputTrayElevationFailure",
        [813] = "inputCannotFeedSizeSelected",
        [901] = "outputMediaTrayMissing", [902] = "outputMediaTrayAlmostFull", [903] = "outputMediaTrayFull",
        [904] = "outputMailboxSelectFailure",
        [1001] = "markerFuserUnderTemperature", [1002] = "markerFuserOverTemperature", [1003] = "markerFuserTimingFailure",
        [1004] = "markerFuserThermistorFailure", [1005] = "markerAdjustingPrintQuality",
        [1101] = "markerTonerEmpty", [1102] = "markerInkEmpty", [1103] = "markerPrintRibbonEmpty",
        [1104] = "markerTonerAlmostEmpty", [1105] = "markerInkAlmostEmpty", [1106] = "markerPrintRibbonAlmostEmpty",
        [1107] = "markerWasteTonerReceptacleAlmostFull", [1108] = "markerWasteInkReceptacleAlmostFull",
        [1109] = "markerWasteTonerReceptacleFull", [1110] = "markerWasteInkReceptacleFull",
        [1111] = "markerOpcLifeAlmostOver", [1112] = "markerOpcLifeOver", [1113] = "markerDeveloperAlmostEmpty",
        [1114] = "markerDeveloperEmpty", [1115] = "markerTonerCartridgeMissing",
        [1301] = "mediaPathMediaTrayMissing", [1302] = "mediaPathMediaTrayAlmostFull", [1303] = "mediaPathMediaTrayFull",
        [1304] = "mediaPathCannotDuplexMediaSelected",
        [1501] = "interpreterMemoryIncrease", [1502] = "interpreterMemoryDecrease", [1503] = "interpreterCartridgeAdded",
        [1504] = "interpreterCartridgeDeleted", [1505] = "interpreterResourceAdded", [1506] = "interpreterResourceDeleted",
        [1507] = "interpreterResourceUnavailable", [1509] = "interpreterComplexPageEncountered",
        [1801] = "alertRemovalOfBinaryChangeEntry",
    }.ToFrozenDictionary();

    // 302xx stapler .. 318xx inserter: the finisher kind, then the same endings as subunit codes 3..38.
    private static readonly string[] Finishers =
    [
        "stapler", "stitcher", "folder", "binder", "trimmer", "dieCutter", "puncher", "perforater", "slitter",
        "separationCutter", "imprinter", "wrapper", "bander", "makeEnvelope", "stacker", "sheetRotator", "inserter",
    ];

    public static string Name(int code)
    {
        if (Names.TryGetValue(code, out string? name))
        {
            return name;
        }

        int kind = code / 100 - 302;
        int ending = code % 100;
        if (kind >= 0 && kind < Finishers.Length && ending >= 3 && ending <= 38)
        {
            string subunit = ending switch
            {
                3 => "CoverOpen", 4 => "CoverClosed", 5 => "InterlockOpen", 6 => "InterlockClosed",
                7 => "ConfigurationChange", 8 => "Jam",
                _ => Names[ending]["subunit".Length..],
            };
            return Finishers[kind] + subunit;
        }

        return code.ToString(CultureInfo.InvariantCulture);
    }
}
