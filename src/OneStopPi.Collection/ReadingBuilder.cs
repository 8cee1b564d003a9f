using System.Globalization;
using OneStopPi.Collection.Decoding;
using OneStopPi.Collection.Mib;
using OneStopPi.Collection.Profiles;
using OneStopPi.Collection.Readings;
using OneStopPi.Collection.Requests;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection;

/// <summary>Turns a device's answers into a <see cref="DeviceReading"/>: standard MIBs first, the vendor profile second.</summary>
internal static class ReadingBuilder
{
    private static readonly CompiledSource HrDeviceDescr = new(null, ValueSources.HrDeviceDescr, null, null);
    private static readonly CompiledSource EntModel = new(null, ValueSources.EntPhysicalModelName, null, null);
    private static readonly CompiledSource PrtSerial = new(null, ValueSources.PrtGeneralSerialNumber, null, null);
    private static readonly CompiledSource EntSerial = new(null, ValueSources.EntPhysicalSerialNum, null, null);
    private static readonly CompiledSource EntFirmware = new(null, ValueSources.EntPhysicalFirmwareRev, null, null);
    private static readonly CompiledSource EntSoftware = new(null, ValueSources.EntPhysicalSoftwareRev, null, null);

    public static DeviceReading Build(SnmpTarget target, DeviceAnswers read, int requests, long elapsedMs)
    {
        string ip = target.EndPoint.Address.IsIPv4MappedToIPv6 ? target.EndPoint.Address.MapToIPv4().ToString() : target.EndPoint.Address.ToString();
        if (!read.Answered)
        {
            return new DeviceReading
            {
                Ip = ip,
                Port = target.EndPoint.Port,
                Requests = requests,
                ElapsedMs = elapsedMs,
                Error = read.Problems.Count > 0 ? read.Problems.ToString() : "no answer",
                Answered = false,
            };
        }

        CompiledProfile? profile = read.Profile;
        if (read.Values.TryGetValue(StandardOids.SysObjectId, out SnmpValue objectId) && !objectId.IsException && objectId.Type != SnmpValueType.ObjectIdentifier)
        {
            read.Problems.Add($"{StandardOids.SysObjectId} has type {objectId.Type}, expected OBJECT IDENTIFIER");
        }

        string? sysDescr = read.Text(StandardOids.SysDescr);
        (string? vendor, IReadOnlyList<string> vendorNames) = Vendor(profile, sysDescr);
        string? serial = Serial(read, profile);
        string? firmware = Firmware(read, profile);
        string? model = Model(read, profile, vendorNames, [serial, firmware]);
        var counters = new Dictionary<string, PageCounter>(StringComparer.Ordinal);
        var supplies = new List<SupplyReading>();
        DeviceStatus status = Status(read);
        ReadStandardCounters(read, counters);
        ReadStandardSupplies(read, supplies);
        string? statusText = null;
        if (profile is not null)
        {
            ReadProfileCounters(read, profile, counters);
            BrotherBlock(read, profile, model, supplies, counters);
            statusText = First(read, profile.StatusText);
        }

        long? ticks = read.Number(StandardOids.SysUpTime);
        return new DeviceReading
        {
            Ip = ip,
            Port = target.EndPoint.Port,
            Mac = Mac(read),
            Vendor = vendor,
            Model = model,
            Serial = serial,
            Firmware = firmware,
            SysName = read.Text(StandardOids.SysName),
            SysDescr = sysDescr,
            SysObjectId = read.SysObjectId?.ToString(),
            UptimeSeconds = ticks is >= 0 ? ticks / 100 : null,
            Profile = profile?.Name,
            Status = statusText is null ? status : status with { StatusText = statusText },
            Counters = Ordered(counters),
            Supplies = supplies,
            Requests = requests,
            ElapsedMs = elapsedMs,
            Error = read.Problems.Count > 0 ? read.Problems.ToString() : null,
        };
    }

    private static (string? Vendor, IReadOnlyList<string> Names) Vendor(CompiledProfile? profile, string? sysDescr)
    {
        if (profile is null)
        {
            return (null, []);
        }

        List<string> names = [.. profile.Profile.VendorNames, profile.Profile.Vendor];
        foreach ((BrandRule brand, System.Text.RegularExpressions.Regex? regex) in profile.Brands)
        {
            if (regex is not null && sysDescr is not null && CompiledRule.SafeIsMatch(regex, sysDescr))
            {
                // An OEM's model text may still carry the maker's name ("KONICA MINOLTA" on a Develop): strip both.
                return (brand.Vendor, [.. brand.VendorNames, brand.Vendor, .. names]);
            }
        }

        return (profile.Profile.Vendor, names);
    }

    private static string? Model(DeviceAnswers read, CompiledProfile? profile, IReadOnlyList<string> vendorNames, IReadOnlyList<string?> knownValues)
    {
        IEnumerable<CompiledSource> sources = profile?.Model ?? [];
        if (!sources.Any(s => s.From == ValueSources.HrDeviceDescr))
        {
            sources = sources.Append(HrDeviceDescr);
        }

        sources = sources.Append(EntModel);
        foreach (CompiledSource source in sources)
        {
            string? text = read.Resolve(source);
            if (text is null)
            {
                continue;
            }

            if (source.From == ValueSources.HrDeviceDescr && profile?.IgnoreHrDeviceDescr is { } ignore && CompiledRule.SafeIsMatch(ignore, text))
            {
                continue;
            }

            if (IdentityText.Model(text, vendorNames, knownValues) is { } model)
            {
                return model;
            }
        }

        return null;
    }

    private static string? Serial(DeviceAnswers read, CompiledProfile? profile)
    {
        IReadOnlyList<CompiledSource> own = profile?.Serial ?? [];
        IEnumerable<CompiledSource> sources = own.Any(s => s.From is not null) ? own : [PrtSerial, EntSerial, .. own];
        foreach (CompiledSource source in sources)
        {
            if (IdentityText.Serial(read.Resolve(source)) is { } serial)
            {
                return serial;
            }
        }

        return null;
    }

    private static string? Firmware(DeviceAnswers read, CompiledProfile? profile)
    {
        IReadOnlyList<CompiledSource> own = profile?.Firmware ?? [];
        IEnumerable<CompiledSource> sources = own.Any(s => s.From is not null) ? own : [.. own, EntFirmware, EntSoftware];
        return First(read, sources);
    }

    private static string? First(DeviceAnswers read, IEnumerable<CompiledSource> sources)
    {
        foreach (CompiledSource source in sources)
        {
            if (read.Resolve(source) is { } text)
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>The interface that carries the polled address, else the first real Ethernet-like one; never loopback or all-zero.</summary>
    private static string? Mac(DeviceAnswers read)
    {
        var types = new Dictionary<uint, long>();
        var addresses = new List<(uint IfIndex, string Mac)>();
        if (read.Tables is { } tables)
        {
            foreach ((uint[] index, SnmpValue value) in tables.Column(StandardOids.IfType))
            {
                if (index.Length == 1 && DeviceAnswers.NumberOf(StandardOids.IfType, value, read.Problems) is { } type)
                {
                    types[index[0]] = type;
                }
            }

            foreach ((uint[] index, SnmpValue value) in tables.Column(StandardOids.IfPhysAddress))
            {
                if (index.Length == 1 && value.Type == SnmpValueType.OctetString && MacAddress.Format(value.Bytes) is { } mac)
                {
                    addresses.Add((index[0], mac));
                }
            }
        }

        addresses.RemoveAll(a => types.TryGetValue(a.IfIndex, out long type) && type == 24); // softwareLoopback
        if (addresses.Count == 0)
        {
            return null;
        }

        uint? polled = null;
        ObjectIdentifier ipIndex = StandardOids.IpAdEntIfIndexOf(read.Address);
        if (read.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && read.Number(ipIndex) is > 0 and <= uint.MaxValue and var carrier)
        {
            polled = (uint)carrier;
        }

        if (polled is { } p)
        {
            foreach ((uint ifIndex, string mac) in addresses)
            {
                if (ifIndex == p)
                {
                    return mac;
                }
            }
        }

        // The lowest ifIndex of an Ethernet-like interface, else the lowest of all (the first listed on a tie), in
        // loops rather than LINQ: see ProbeOids in DeviceCollector.
        // ethernetCsmacd(6), iso88023Csmacd(7), fastEther(62), fastEtherFX(69), ieee80211(71), gigabitEthernet(117)
        (uint IfIndex, string Mac)? ethernet = null;
        (uint IfIndex, string Mac) lowest = addresses[0];
        foreach ((uint ifIndex, string mac) in addresses)
        {
            if (types.TryGetValue(ifIndex, out long type) && type is 6 or 7 or 62 or 69 or 71 or 117 && (ethernet is null || ifIndex < ethernet.Value.IfIndex))
            {
                ethernet = (ifIndex, mac);
            }

            if (ifIndex < lowest.IfIndex)
            {
                lowest = (ifIndex, mac);
            }
        }

        return (ethernet ?? lowest).Mac;
    }

    private static DeviceStatus Status(DeviceAnswers read)
    {
        uint i = read.PrinterIndex;
        HrDeviceStatus? device = read.Number(StandardOids.HrDeviceStatus.Append(i)) is { } d and >= 1 and <= 5 ? (HrDeviceStatus)d : null;
        HrPrinterStatus? printer = read.Number(StandardOids.HrPrinterStatus.Append(i)) is { } p and >= 1 and <= 5 ? (HrPrinterStatus)p : null;
        ObjectIdentifier errorOid = StandardOids.HrPrinterDetectedErrorState.Append(i);
        PrinterErrors flags = PrinterErrors.None;
        string? raw = null;
        if (read.Values.TryGetValue(errorOid, out SnmpValue errorValue) && !errorValue.IsException)
        {
            if (errorValue.Type == SnmpValueType.OctetString)
            {
                ReadOnlySpan<byte> bits = errorValue.Bytes;
                flags = ErrorStateDecoder.Decode(bits);
                raw = Convert.ToHexStringLower(bits.Length > 8 ? bits[..8] : bits);
            }
            else
            {
                read.Problems.Add($"{errorOid} has type {errorValue.Type}, expected OCTET STRING");
            }
        }

        return new DeviceStatus
        {
            HrDeviceStatus = device,
            HrPrinterStatus = printer,
            ErrorFlags = flags,
            Errors = ErrorStateDecoder.Names(flags),
            ErrorState = raw,
            Alerts = Alerts(read),
        };
    }

    private static List<PrinterAlert> Alerts(DeviceAnswers read)
    {
        var alerts = new SortedDictionary<uint, PrinterAlert>();
        if (read.Tables is not { } tables)
        {
            return [];
        }

        PrinterAlert Row(uint index) => alerts.TryGetValue(index, out PrinterAlert? a) ? a : alerts[index] = new PrinterAlert { Index = (int)Math.Min(index, int.MaxValue) };
        foreach ((uint index, SnmpValue value, ObjectIdentifier column) in PrinterRows(read, tables, StandardOids.PrtAlertSeverityLevel, StandardOids.PrtAlertGroup,
                     StandardOids.PrtAlertGroupIndex, StandardOids.PrtAlertLocation, StandardOids.PrtAlertCode, StandardOids.PrtAlertDescription))
        {
            PrinterAlert alert = Row(index);
            if (column == StandardOids.PrtAlertDescription)
            {
                alerts[index] = alert with { Description = DeviceAnswers.TextOf(column, value, read.Charset, read.Problems) };
                continue;
            }

            if (DeviceAnswers.NumberOf(column, value, read.Problems) is not { } n || n is < int.MinValue or > int.MaxValue)
            {
                continue;
            }

            int number = (int)n;
            alerts[index] = column == StandardOids.PrtAlertSeverityLevel ? alert with { Severity = (AlertSeverity)number }
                : column == StandardOids.PrtAlertGroup ? alert with { Group = (AlertGroup)number }
                : column == StandardOids.PrtAlertGroupIndex ? alert with { GroupIndex = number }
                : column == StandardOids.PrtAlertLocation ? alert with { Location = number }
                : alert with { Code = AlertCodes.Name(number), CodeValue = number };
        }

        return [.. alerts.Values];
    }

    private static void ReadStandardCounters(DeviceAnswers read, Dictionary<string, PageCounter> counters)
    {
        if (read.Tables is not { } tables)
        {
            return;
        }

        var units = new Dictionary<uint, long>();
        foreach ((uint index, SnmpValue value, _) in PrinterRows(read, tables, StandardOids.PrtMarkerCounterUnit))
        {
            if (DeviceAnswers.NumberOf(StandardOids.PrtMarkerCounterUnit, value, read.Problems) is { } unit)
            {
                units[index] = unit;
            }
        }

        // The first marker's life count, when it counts pages: impressions(7), sheets(8), or no unit given.
        foreach ((uint index, SnmpValue value, ObjectIdentifier column) in ByIndex(PrinterRows(read, tables, StandardOids.PrtMarkerLifeCount)))
        {
            if (units.TryGetValue(index, out long unit) && unit is not (7 or 8 or 1 or 2))
            {
                continue;
            }

            if (DeviceAnswers.NumberOf(column, value, read.Problems) is { } count)
            {
                if (count < 0)
                {
                    read.Problems.Add($"prtMarkerLifeCount.{read.PrinterIndex}.{index} is negative ({count})");
                    continue;
                }

                counters[CounterNames.Total] = new PageCounter(count, column.Append(read.PrinterIndex, index).ToString());
                foreach ((uint powerOnIndex, SnmpValue powerOn, ObjectIdentifier powerOnColumn) in PrinterRows(read, tables, StandardOids.PrtMarkerPowerOnCount))
                {
                    if (powerOnIndex == index && DeviceAnswers.NumberOf(powerOnColumn, powerOn, read.Problems) is >= 0 and var sincePowerOn)
                    {
                        counters[CounterNames.SincePowerOn] = new PageCounter(sincePowerOn, powerOnColumn.Append(read.PrinterIndex, index).ToString());
                    }
                }

                break;
            }
        }
    }

    private static void ReadStandardSupplies(DeviceAnswers read, List<SupplyReading> supplies)
    {
        if (read.Tables is not { } tables)
        {
            return;
        }

        var colorants = new Dictionary<uint, string>();
        foreach ((uint index, SnmpValue value, ObjectIdentifier column) in PrinterRows(read, tables, StandardOids.PrtMarkerColorantValue))
        {
            if (SupplyText.NormaliseColour(DeviceAnswers.TextOf(column, value, read.Charset, read.Problems)) is { } colour)
            {
                colorants[index] = colour;
            }
        }

        var rows = new SortedDictionary<uint, Dictionary<ObjectIdentifier, SnmpValue>>();
        foreach ((uint index, SnmpValue value, ObjectIdentifier column) in PrinterRows(read, tables,
                     StandardOids.PrtMarkerSuppliesColorantIndex, StandardOids.PrtMarkerSuppliesClass, StandardOids.PrtMarkerSuppliesType,
                     StandardOids.PrtMarkerSuppliesDescription, StandardOids.PrtMarkerSuppliesSupplyUnit,
                     StandardOids.PrtMarkerSuppliesMaxCapacity, StandardOids.PrtMarkerSuppliesLevel))
        {
            if (!rows.TryGetValue(index, out Dictionary<ObjectIdentifier, SnmpValue>? row))
            {
                rows[index] = row = [];
            }

            row[column] = value;
        }

        uint device = SupplyDevice(read, tables);
        foreach ((uint index, Dictionary<ObjectIdentifier, SnmpValue> row) in rows)
        {
            long? Number(ObjectIdentifier column) => row.TryGetValue(column, out SnmpValue v) ? DeviceAnswers.NumberOf(column.Append(device, index), v, read.Problems) : null;
            string? description = row.TryGetValue(StandardOids.PrtMarkerSuppliesDescription, out SnmpValue d)
                ? DeviceAnswers.TextOf(StandardOids.PrtMarkerSuppliesDescription.Append(device, index), d, read.Charset, read.Problems)
                : null;
            long? type = Number(StandardOids.PrtMarkerSuppliesType);
            SupplyType supplyType = type is >= 3 and <= 36 ? (SupplyType)type : SupplyText.InferType(description) is var inferred && inferred != SupplyType.Unknown
                ? inferred
                : type == 1 ? SupplyType.Other : SupplyType.Unknown;
            long? colorant = Number(StandardOids.PrtMarkerSuppliesColorantIndex);
            string? colour = colorant is > 0 and <= uint.MaxValue && colorants.TryGetValue((uint)colorant, out string? c) ? c : SupplyText.InferColour(description);
            long? supplyClass = Number(StandardOids.PrtMarkerSuppliesClass);
            long? unit = Number(StandardOids.PrtMarkerSuppliesSupplyUnit);
            supplies.Add(Supply(index, description, supplyType, colour,
                supplyClass is 1 or 3 or 4 ? (SupplyClass)supplyClass : null,
                Number(StandardOids.PrtMarkerSuppliesLevel), Number(StandardOids.PrtMarkerSuppliesMaxCapacity),
                unit is >= 1 and <= 19 ? (SupplyUnit)unit : null,
                StandardOids.PrtMarkerSuppliesLevel.Append(device, index).ToString()));
        }
    }

    /// <summary>A supply with its percent and state worked out from the raw level and maximum.</summary>
    internal static SupplyReading Supply(uint index, string? description, SupplyType type, string? colour, SupplyClass? supplyClass,
        long? level, long? max, SupplyUnit? unit, string? oid)
    {
        SupplyState state = level switch
        {
            null or -2 => SupplyState.Unknown,
            -1 => SupplyState.NoLimit,
            -3 => SupplyState.SomeRemaining,
            < 0 => SupplyState.Invalid,
            _ => SupplyState.Known,
        };
        int? percent = level is >= 0 && max is > 0
            ? (int)Math.Min(100, Math.Round(level.Value * 100.0 / max.Value, MidpointRounding.AwayFromZero))
            : null;
        return new SupplyReading
        {
            Index = (int)Math.Min(index, int.MaxValue),
            Description = description,
            Type = type,
            Class = supplyClass,
            Colour = colour,
            Level = level,
            Max = max,
            Unit = unit,
            Percent = percent,
            State = state,
            Oid = oid,
        };
    }

    private static void ReadProfileCounters(DeviceAnswers read, CompiledProfile profile, Dictionary<string, PageCounter> counters)
    {
        foreach (CompiledCounter counter in profile.Counters)
        {
            long sum = 0;
            var used = new List<ObjectIdentifier>(counter.Oids.Count);
            foreach (ObjectIdentifier oid in counter.Oids)
            {
                if (read.Number(oid) is { } value)
                {
                    if (value < 0)
                    {
                        read.Problems.Add($"{oid} is negative ({value}), not a page count");
                        continue;
                    }

                    sum += value;
                    used.Add(oid);
                    if (counter.FirstAnswering)
                    {
                        break;
                    }
                }
            }

            if (used.Count > 0)
            {
                counters[counter.Name] = new PageCounter(sum, string.Join("+", used));
            }
        }

        if (read.Tables is not { } tables)
        {
            return;
        }

        foreach (CompiledCounterTable table in profile.CounterTables)
        {
            var keys = new List<(string Index, string? Key)>();
            foreach ((uint[] index, SnmpValue value) in tables.Column(table.KeyColumn))
            {
                if (DeviceAnswers.TextOf(table.KeyColumn, value, read.Charset, read.Problems) is { } key)
                {
                    keys.Add((string.Join('.', index), key));
                }
            }

            Dictionary<string, SnmpValue> values = ByRow(tables, table.ValueColumn);
            Dictionary<string, SnmpValue>? units = table.UnitColumn is { } unitColumn ? ByRow(tables, unitColumn) : null;
            foreach (CompiledCounterRow row in table.Rows)
            {
                long sum = 0;
                var used = new List<string>();
                foreach ((string index, string? key) in keys)
                {
                    if (!CompiledRule.SafeIsMatch(row.Key, key!) || !values.TryGetValue(index, out SnmpValue value))
                    {
                        continue;
                    }

                    if (units is not null && (!units.TryGetValue(index, out SnmpValue unit) || !unit.TryGetInt64(out long u) || u != table.Unit))
                    {
                        continue;
                    }

                    if (DeviceAnswers.NumberOf(table.ValueColumn, value, read.Problems) is not { } number || number < 0)
                    {
                        continue;
                    }

                    sum += number;
                    used.Add($"{table.ValueColumn}.{index}");
                    if (!row.Sum)
                    {
                        break;
                    }
                }

                if (used.Count > 0)
                {
                    counters[row.Counter] = new PageCounter(sum, string.Join("+", used));
                }
            }
        }
    }

    private static void BrotherBlock(DeviceAnswers read, CompiledProfile profile, string? model, List<SupplyReading> supplies, Dictionary<string, PageCounter> counters)
    {
        if (profile.Profile.BrotherMaintenance is not { } maintenance)
        {
            return;
        }

        bool ink = model is not null && profile.BrotherInkModels is { } inkModels && CompiledRule.SafeIsMatch(inkModels, model);
        var found = new Dictionary<string, (long? Level, long? Max, long? Pages, string Oid)>(StringComparer.Ordinal);
        foreach ((ObjectIdentifier oid, BrotherBlock block) in profile.BrotherBlocks)
        {
            if (read.Octets(oid) is not { } bytes)
            {
                continue;
            }

            foreach ((byte code, long value, long? max, int length) in BrotherMaintenanceDecoder.Decode(bytes))
            {
                string key = code.ToString("x2", CultureInfo.InvariantCulture);
                if (!block.Codes.TryGetValue(key, out BrotherCode? meaning))
                {
                    continue;
                }

                string source = $"{oid}#{key}";
                if (meaning.Counter is { } name)
                {
                    counters[name] = new PageCounter(value, source);
                    continue;
                }

                string supply = meaning.Supply!;
                (long? level, long? limit, long? pages, string at) = found.TryGetValue(supply, out var seen) ? seen : (null, null, null, source);
                if (meaning.Field == "pages")
                {
                    pages = value;
                }
                else if (level is null && length is 2 or 4)
                {
                    // hundredths of a percent, or (legacy 2-byte records) remaining out of a maximum
                    (level, limit, at) = max is { } legacyMax ? (value, legacyMax, source) : (value, 10000L, source);
                }

                found[supply] = (level, limit, pages, at);
            }
        }

        foreach ((string key, BrotherSupply supply) in maintenance.Supplies)
        {
            if (!found.TryGetValue(key, out var values))
            {
                continue;
            }

            SupplyType type = ink && supply.Type is SupplyType.Toner ? SupplyType.Ink : supply.Type;
            string description = ink && supply.Type is SupplyType.Toner ? supply.Description.Replace("Toner", "Ink", StringComparison.Ordinal) : supply.Description;
            SupplyReading reading = values.Level is { } level
                ? Supply((uint)(1000 + supplies.Count), description, type, supply.Colour, SupplyClass.Consumed, level, values.Max, null, values.Oid)
                : Supply((uint)(1000 + supplies.Count), description, type, supply.Colour, SupplyClass.Consumed, values.Pages, null, SupplyUnit.Impressions, values.Oid);
            reading = reading with { RemainingPages = values.Pages };

            // The same part may already be in prtMarkerSuppliesTable (often as a coarse gauge): the
            // finer vendor figure replaces its level, the device's own description stays.
            int same = supplies.FindIndex(s => s.Oid?.StartsWith(StandardOids.PrtMarkerSuppliesLevel.ToString() + ".", StringComparison.Ordinal) == true
                && s.Type == reading.Type && (s.Colour == reading.Colour || s.Colour is null || reading.Colour is null));
            if (same >= 0)
            {
                supplies[same] = reading with { Index = supplies[same].Index, Description = supplies[same].Description ?? reading.Description, Colour = supplies[same].Colour ?? reading.Colour };
            }
            else
            {
                supplies.Add(reading);
            }
        }
    }

    /// <summary>
    /// Rows of Printer-MIB columns indexed (hrDeviceIndex, row): those of the printer's device index, or,
    /// when the device numbers them differently, those of the lowest device index present.
    /// </summary>
    private static List<(uint Index, SnmpValue Value, ObjectIdentifier Column)> PrinterRows(DeviceAnswers read, ColumnSet tables, params ObjectIdentifier[] columns)
    {
        var all = new List<(uint Device, uint Index, SnmpValue Value, ObjectIdentifier Column)>();
        foreach (ObjectIdentifier column in columns)
        {
            foreach ((uint[] index, SnmpValue value) in tables.Column(column))
            {
                if (index.Length == 2)
                {
                    all.Add((index[0], index[1], value, column));
                }
            }
        }

        if (all.Count == 0)
        {
            return [];
        }

        bool printers = false;
        uint lowest = uint.MaxValue;
        foreach ((uint d, _, _, _) in all)
        {
            printers |= d == read.PrinterIndex;
            lowest = Math.Min(lowest, d);
        }

        uint device = printers ? read.PrinterIndex : lowest;
        var rows = new List<(uint Index, SnmpValue Value, ObjectIdentifier Column)>(all.Count);
        foreach ((uint d, uint index, SnmpValue value, ObjectIdentifier column) in all)
        {
            if (d == device)
            {
                rows.Add((index, value, column));
            }
        }

        return rows;
    }

    /// <summary>A column's values by their row index ("1.2"); a repeated index throws, as ToDictionary did.</summary>
    private static Dictionary<string, SnmpValue> ByRow(ColumnSet tables, ObjectIdentifier column)
    {
        var values = new Dictionary<string, SnmpValue>();
        foreach ((uint[] index, SnmpValue value) in tables.Column(column))
        {
            values.Add(string.Join('.', index), value);
        }

        return values;
    }

    /// <summary>The rows in ascending index, equal ones in their order (what OrderBy gave; the lists are a few markers long).</summary>
    private static List<(uint Index, SnmpValue Value, ObjectIdentifier Column)> ByIndex(List<(uint Index, SnmpValue Value, ObjectIdentifier Column)> rows)
    {
        for (int i = 1; i < rows.Count; i++)
        {
            (uint Index, SnmpValue Value, ObjectIdentifier Column) row = rows[i];
            int j = i - 1;
            for (; j >= 0 && rows[j].Index > row.Index; j--)
            {
                rows[j + 1] = rows[j];
            }

            rows[j + 1] = row;
        }

        return rows;
    }

    private static uint SupplyDevice(DeviceAnswers read, ColumnSet tables)
    {
        bool any = false;
        uint lowest = uint.MaxValue;
        foreach (ObjectIdentifier column in (ObjectIdentifier[])[StandardOids.PrtMarkerSuppliesLevel, StandardOids.PrtMarkerSuppliesDescription])
        {
            foreach ((uint[] index, _) in tables.Column(column))
            {
                if (index.Length == 2)
                {
                    if (index[0] == read.PrinterIndex)
                    {
                        return read.PrinterIndex;
                    }

                    any = true;
                    lowest = Math.Min(lowest, index[0]);
                }
            }
        }

        return any ? lowest : read.PrinterIndex;
    }

    private static Dictionary<string, PageCounter> Ordered(Dictionary<string, PageCounter> counters)
    {
        var ordered = new Dictionary<string, PageCounter>(counters.Count, StringComparer.Ordinal);
        foreach (string name in CounterNames.Standard)
        {
            if (counters.TryGetValue(name, out PageCounter? counter))
            {
                ordered[name] = counter;
            }
        }

        foreach ((string name, PageCounter counter) in counters.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            ordered.TryAdd(name, counter);
        }

        return ordered;
    }
}
