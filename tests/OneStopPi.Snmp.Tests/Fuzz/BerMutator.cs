namespace OneStopPi.Snmp.Tests.Fuzz;

/// <summary>
/// Makes hostile variants of valid encodings: byte-level damage (bit flips, inserted, deleted and
/// overwritten octets, truncation, splices) and structure-aware damage on a parsed BER tree (length
/// fields tampered, tags swapped, values replaced by edge values, children dropped, duplicated or
/// nested), the latter re-serialised with consistent outer lengths so the damage reaches the inner
/// decoders instead of failing at the first length check.
/// </summary>
internal sealed class BerMutator
{
    /// <summary>Never build inputs above the largest UDP payload.</summary>
    public const int MaxInput = 65507;

    private static readonly byte[] InterestingTags =
    [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x1F, 0x30, 0x31, 0x3F, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
        0x60, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x9F, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xBF, 0xFF,
    ];

    private static readonly byte[][] InterestingContents =
    [
        [], [0x00], [0x80], [0xFF], [0x7F], [0x00, 0x80], [0xFF, 0x7F], [0x7F, 0xFF, 0xFF, 0xFF], [0x80, 0x00, 0x00, 0x00],
        [0x00, 0xFF, 0xFF, 0xFF, 0xFF], [0x01, 0x00, 0x00, 0x00, 0x00], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01],
        [0x2B, 0x06, 0x01], [0x2B, 0x06, 0x81], [0x8F, 0xFF, 0xFF, 0xFF, 0x7F], [0x90, 0x80, 0x80, 0x80, 0x00],
        [0x2B, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], [0x88, 0x37],
        [0x0A, 0x00, 0x00], [0x0A, 0x00, 0x00, 0x01, 0x02],
    ];

    private static readonly byte[][] LengthForms =
    [
        [0x80], [0x81], [0x82], [0x84], [0x85, 0x01, 0x00, 0x00, 0x00, 0x00], [0x84, 0xFF, 0xFF, 0xFF, 0xFF],
        [0x84, 0x7F, 0xFF, 0xFF, 0xFF], [0x84, 0x80, 0x00, 0x00, 0x00], [0x83, 0x01, 0x00, 0x00], [0x82, 0xFF, 0xFF],
        [0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01], [0xFF], [0x7F], [0x00], [0x81, 0x00], [0x82, 0x00, 0x01],
    ];

    private readonly Random _random;

    public BerMutator(Random random) => _random = random;

    /// <summary>One mutated input from <paramref name="seed"/>; <paramref name="corpus"/> feeds splices.</summary>
    public byte[] Mutate(byte[] seed, IReadOnlyList<FuzzSeed> corpus)
    {
        byte[] data = _random.Next(100) < 55 && BerNode.TryParse(seed, out BerNode? tree)
            ? MutateTree(tree, corpus)
            : seed;
        int rounds = data == seed ? 1 + _random.Next(4) : _random.Next(3);
        for (int i = 0; i < rounds; i++)
        {
            data = MutateBytes(data, corpus);
        }

        return data.Length > MaxInput ? data[..MaxInput] : data;
    }

    public byte[] RandomBytes()
    {
        int length = _random.Next(100) < 80 ? _random.Next(0, 96) : _random.Next(0, 2048);
        byte[] data = new byte[length];
        _random.NextBytes(data);
        if (length > 2 && _random.Next(2) == 0)
        {
            // Look a little like a message, so the framing passes more often.
            data[0] = 0x30;
            data[1] = length - 2 < 0x80 ? (byte)(length - 2) : (byte)0x82;
        }

        return data;
    }

    private byte[] MutateBytes(byte[] data, IReadOnlyList<FuzzSeed> corpus)
    {
        var list = new List<byte>(data);
        switch (_random.Next(10))
        {
            case 0 or 1: // flip 1..4 bits
                if (list.Count > 0)
                {
                    for (int n = 1 + _random.Next(4); n > 0; n--)
                    {
                        int at = _random.Next(list.Count);
                        list[at] ^= (byte)(1 << _random.Next(8));
                    }
                }

                break;
            case 2: // overwrite with an interesting or random octet
                if (list.Count > 0)
                {
                    list[_random.Next(list.Count)] = _random.Next(2) == 0 ? InterestingTags[_random.Next(InterestingTags.Length)] : (byte)_random.Next(256);
                }

                break;
            case 3: // insert octets
                {
                    int at = _random.Next(list.Count + 1);
                    int n = _random.Next(100) < 90 ? 1 + _random.Next(4) : 1 + _random.Next(200);
                    byte[] extra = new byte[n];
                    _random.NextBytes(extra);
                    list.InsertRange(at, extra);
                    break;
                }

            case 4: // delete octets
                if (list.Count > 0)
                {
                    int at = _random.Next(list.Count);
                    list.RemoveRange(at, Math.Min(list.Count - at, 1 + _random.Next(_random.Next(2) == 0 ? 4 : 64)));
                }

                break;
            case 5: // truncate
                if (list.Count > 0)
                {
                    int keep = _random.Next(list.Count);
                    list.RemoveRange(keep, list.Count - keep);
                }

                break;
            case 6: // splice a piece of another seed
                {
                    byte[] other = corpus[_random.Next(corpus.Count)].Bytes;
                    int from = _random.Next(other.Length);
                    int n = _random.Next(other.Length - from) + 1;
                    int at = _random.Next(list.Count + 1);
                    if (_random.Next(2) == 0)
                    {
                        list.RemoveRange(at, Math.Min(n, list.Count - at));
                    }

                    list.InsertRange(at, other.AsSpan(from, n).ToArray());
                    break;
                }

            case 7: // duplicate a run
                if (list.Count > 0)
                {
                    int from = _random.Next(list.Count);
                    int n = 1 + _random.Next(Math.Min(64, list.Count - from));
                    byte[] run = list.GetRange(from, n).ToArray();
                    for (int copies = 1 + _random.Next(_random.Next(2) == 0 ? 2 : 200); copies > 0 && list.Count + n <= MaxInput; copies--)
                    {
                        list.InsertRange(from, run);
                    }
                }

                break;
            default: // tamper with a length octet where the bytes still parse as a TLV chain
                TamperLengthInPlace(list);
                break;
        }

        return [.. list];
    }

    /// <summary>Finds the length octets of the TLVs along one path and rewrites one of them.</summary>
    private void TamperLengthInPlace(List<byte> list)
    {
        byte[] data = [.. list];
        var positions = new List<(int LengthAt, int LengthOctets)>();
        int offset = 0;
        int end = data.Length;
        while (offset + 2 <= end)
        {
            int lengthAt = offset + 1;
            if (!TryReadLength(data, lengthAt, out int contentLength, out int lengthOctets) || lengthAt + lengthOctets + contentLength > end)
            {
                break;
            }

            positions.Add((lengthAt, lengthOctets));
            int contentStart = lengthAt + lengthOctets;
            bool descend = (data[offset] & 0x20) != 0 || (data[offset] == 0x04 && contentLength > 2 && data[contentStart] == 0x30);
            if (descend && _random.Next(3) != 0)
            {
                offset = contentStart;
                end = contentStart + contentLength;
            }
            else
            {
                offset = contentStart + contentLength;
            }
        }

        if (positions.Count == 0)
        {
            return;
        }

        (int at, int octets) = positions[_random.Next(positions.Count)];
        byte[] replacement;
        if (_random.Next(2) == 0)
        {
            replacement = LengthForms[_random.Next(LengthForms.Length)];
        }
        else
        {
            TryReadLength(data, at, out int current, out _);
            int changed = Math.Max(0, current + _random.Next(-3, 4));
            replacement = changed < 0x80 ? [(byte)changed] : changed < 0x100 ? [0x81, (byte)changed] : [0x82, (byte)(changed >> 8), (byte)changed];
        }

        list.RemoveRange(at, octets);
        list.InsertRange(at, replacement);
    }

    private static bool TryReadLength(byte[] data, int at, out int length, out int octets)
    {
        length = 0;
        octets = 0;
        if (at >= data.Length)
        {
            return false;
        }

        byte first = data[at];
        if (first < 0x80)
        {
            length = first;
            octets = 1;
            return true;
        }

        int count = first & 0x7F;
        if (count is 0 or > 3 || at + count >= data.Length)
        {
            return false;
        }

        for (int i = 1; i <= count; i++)
        {
            length = (length << 8) | data[at + i];
        }

        octets = 1 + count;
        return true;
    }

    private byte[] MutateTree(BerNode root, IReadOnlyList<FuzzSeed> corpus)
    {
        List<BerNode> nodes = [];
        root.Collect(nodes);
        for (int n = 1 + _random.Next(3); n > 0; n--)
        {
            BerNode node = nodes[_random.Next(nodes.Count)];
            switch (_random.Next(12))
            {
                case 0:
                    node.Tag = InterestingTags[_random.Next(InterestingTags.Length)];
                    break;
                case 1 or 2:
                    node.Children = null;
                    node.Content = InterestingContents[_random.Next(InterestingContents.Length)];
                    break;
                case 3:
                    node.ForcedLength = LengthForms[_random.Next(LengthForms.Length)];
                    break;
                case 4:
                    node.LongLengthForm = true;
                    break;
                case 5 when node.Children is { Count: > 0 } children:
                    children.RemoveAt(_random.Next(children.Count));
                    break;
                case 6 when node.Children is { Count: > 0 } children:
                    {
                        BerNode copy = children[_random.Next(children.Count)];
                        int copies = _random.Next(100) < 95 ? 1 + _random.Next(3) : 1 + _random.Next(9000);
                        for (int i = 0; i < copies; i++)
                        {
                            children.Insert(_random.Next(children.Count + 1), copy.Clone());
                        }

                        break;
                    }

                case 7 when node.Children is { Count: > 1 } children:
                    {
                        int a = _random.Next(children.Count), b = _random.Next(children.Count);
                        (children[a], children[b]) = (children[b], children[a]);
                        break;
                    }

                case 8:
                    {
                        // Nest the node in itself a number of times (deep structures).
                        BerNode inner = node.Clone();
                        for (int depth = 1 + _random.Next(_random.Next(10) != 0 ? 3 : 300); depth > 0; depth--)
                        {
                            inner = new BerNode { Tag = _random.Next(2) == 0 ? (byte)0x30 : node.Tag, Children = [inner] };
                        }

                        node.Tag = inner.Tag;
                        node.Children = inner.Children;
                        node.Content = null;
                        break;
                    }

                case 9 when node.Content is { } content:
                    {
                        // A longer or random run of contents (long OIDs, long integers, big strings).
                        int length = _random.Next(100) < 80 ? _random.Next(0, 16) : _random.Next(0, 1200);
                        byte[] bytes = new byte[length];
                        _random.NextBytes(bytes);
                        if (_random.Next(2) == 0)
                        {
                            for (int i = 0; i < bytes.Length - 1; i++)
                            {
                                bytes[i] |= 0x80; // OID sub-identifiers that keep going
                            }
                        }

                        node.Content = _random.Next(2) == 0 ? bytes : [.. content, .. bytes];
                        break;
                    }

                case 10:
                    {
                        // Graft a subtree from another seed.
                        if (BerNode.TryParse(corpus[_random.Next(corpus.Count)].Bytes, out BerNode? other))
                        {
                            List<BerNode> donors = [];
                            other.Collect(donors);
                            BerNode donor = donors[_random.Next(donors.Count)];
                            node.Tag = donor.Tag;
                            node.Children = donor.Children;
                            node.Content = donor.Content;
                        }

                        break;
                    }

                default:
                    if (node.Content is { Length: > 0 } bytesToFlip)
                    {
                        bytesToFlip[_random.Next(bytesToFlip.Length)] ^= (byte)(1 << _random.Next(8));
                    }

                    break;
            }
        }

        return root.Serialize(MaxInput * 2);
    }
}

/// <summary>A parsed BER value: a leaf with contents or a constructed value (or an OCTET STRING wrapping BER, as msgSecurityParameters does).</summary>
internal sealed class BerNode
{
    public byte Tag { get; set; }

    public byte[]? Content { get; set; }

    public List<BerNode>? Children { get; set; }

    /// <summary>Written instead of the real length (tampering).</summary>
    public byte[]? ForcedLength { get; set; }

    /// <summary>Write a valid but non-minimal long-form length.</summary>
    public bool LongLengthForm { get; set; }

    public BerNode Clone() => new()
    {
        Tag = Tag,
        Content = Content?.ToArray(),
        Children = Children?.Select(c => c.Clone()).ToList(),
        ForcedLength = ForcedLength,
        LongLengthForm = LongLengthForm,
    };

    public void Collect(List<BerNode> into)
    {
        into.Add(this);
        foreach (BerNode child in Children ?? [])
        {
            child.Collect(into);
        }
    }

    public static bool TryParse(ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BerNode? node)
    {
        node = null;
        List<BerNode>? list = ParseList(data, 0);
        if (list is not { Count: 1 })
        {
            return false;
        }

        node = list[0];
        return true;
    }

    private static List<BerNode>? ParseList(ReadOnlySpan<byte> data, int depth)
    {
        var list = new List<BerNode>();
        while (!data.IsEmpty)
        {
            if (data.Length < 2 || (data[0] & 0x1F) == 0x1F)
            {
                return null;
            }

            int length = data[1];
            int header = 2;
            if (length >= 0x80)
            {
                int count = length & 0x7F;
                if (count is 0 or > 3 || data.Length < 2 + count)
                {
                    return null;
                }

                length = 0;
                for (int i = 0; i < count; i++)
                {
                    length = (length << 8) | data[2 + i];
                }

                header += count;
            }

            if (data.Length - header < length)
            {
                return null;
            }

            ReadOnlySpan<byte> content = data.Slice(header, length);
            var node = new BerNode { Tag = data[0] };
            bool tryChildren = (data[0] & 0x20) != 0 || (data[0] == 0x04 && length > 1 && content[0] == 0x30);
            List<BerNode>? children = tryChildren && depth < 32 ? ParseList(content, depth + 1) : null;
            if (children is not null)
            {
                node.Children = children;
            }
            else
            {
                node.Content = content.ToArray();
            }

            list.Add(node);
            data = data[(header + length)..];
        }

        return list;
    }

    public byte[] Serialize(int limit)
    {
        var output = new List<byte>(Math.Min(limit, 4096));
        Write(output, limit);
        return [.. output];
    }

    /// <summary>Length of the contents as written (children are cut once the limit is passed).</summary>
    private int BodyLength(int limit)
    {
        if (Children is null)
        {
            return Content?.Length ?? 0;
        }

        int total = 0;
        foreach (BerNode child in Children)
        {
            if (total > limit)
            {
                break;
            }

            total += child.EncodedLength(limit);
        }

        return total;
    }

    private int EncodedLength(int limit)
    {
        int body = BodyLength(limit);
        int header = 1 + (ForcedLength?.Length ?? (body < 0x80 && !LongLengthForm ? 1 : 5));
        return header + body;
    }

    private void Write(List<byte> output, int limit)
    {
        int length = BodyLength(limit);
        output.Add(Tag);
        if (ForcedLength is not null)
        {
            output.AddRange(ForcedLength);
        }
        else if (length < 0x80 && !LongLengthForm)
        {
            output.Add((byte)length);
        }
        else
        {
            output.Add(0x84);
            output.Add((byte)(length >> 24));
            output.Add((byte)(length >> 16));
            output.Add((byte)(length >> 8));
            output.Add((byte)length);
        }

        if (Children is null)
        {
            output.AddRange(Content ?? []);
            return;
        }

        int written = 0;
        foreach (BerNode child in Children)
        {
            if (written > limit)
            {
                break;
            }

            int before = output.Count;
            child.Write(output, limit);
            written += output.Count - before;
        }
    }
}
