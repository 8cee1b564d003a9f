namespace OneStopPi.Agent.Upgrade;

/// <summary>
/// Orders Debian package versions as dpkg does (deb-version(7)): epoch, then upstream version, then
/// revision; within each, runs of non-digits compare character by character ('~' before everything,
/// even the end; letters before other characters) and runs of digits compare as numbers.
/// </summary>
public static class DebianVersion
{
    /// <summary>Negative when <paramref name="left"/> is older, zero when equal, positive when newer.</summary>
    public static int Compare(string left, string right)
    {
        (long leftEpoch, string leftUpstream, string leftRevision) = Split(left);
        (long rightEpoch, string rightUpstream, string rightRevision) = Split(right);
        int byEpoch = leftEpoch.CompareTo(rightEpoch);
        if (byEpoch != 0)
        {
            return byEpoch;
        }

        int byUpstream = ComparePart(leftUpstream, rightUpstream);
        return byUpstream != 0 ? byUpstream : ComparePart(leftRevision, rightRevision);
    }

    /// <summary>True for what dpkg accepts as a version: starts with a digit, no spaces, an optional numeric epoch.</summary>
    public static bool IsValid(string? version)
    {
        if (string.IsNullOrEmpty(version) || version.Length > 64 || version.Any(c => !(char.IsAsciiLetterOrDigit(c) || ".+-~:".Contains(c))))
        {
            return false;
        }

        (long epoch, string upstream, _) = Split(version);
        return epoch >= 0 && upstream.Length > 0 && char.IsAsciiDigit(upstream[0]);
    }

    private static (long Epoch, string Upstream, string Revision) Split(string version)
    {
        long epoch = 0;
        int colon = version.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && long.TryParse(version.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long parsed))
        {
            epoch = parsed;
            version = version[(colon + 1)..];
        }

        int dash = version.LastIndexOf('-');
        return dash > 0 ? (epoch, version[..dash], version[(dash + 1)..]) : (epoch, version, "");
    }

    private static int ComparePart(string left, string right)
    {
        int i = 0, j = 0;
        while (i < left.Length || j < right.Length)
        {
            // The non-digit run.
            while ((i < left.Length && !char.IsAsciiDigit(left[i])) || (j < right.Length && !char.IsAsciiDigit(right[j])))
            {
                int l = Weight(left, i), r = Weight(right, j);
                if (l != r)
                {
                    return l < r ? -1 : 1;
                }

                i++;
                j++;
            }

            // The digit run, as a number (leading zeros do not count).
            while (i < left.Length && left[i] == '0')
            {
                i++;
            }

            while (j < right.Length && right[j] == '0')
            {
                j++;
            }

            int firstDifference = 0;
            while (i < left.Length && char.IsAsciiDigit(left[i]) && j < right.Length && char.IsAsciiDigit(right[j]))
            {
                if (firstDifference == 0)
                {
                    firstDifference = left[i] - right[j];
                }

                i++;
                j++;
            }

            if (i < left.Length && char.IsAsciiDigit(left[i]))
            {
                return 1; // more digits: the larger number
            }

            if (j < right.Length && char.IsAsciiDigit(right[j]))
            {
                return -1;
            }

            if (firstDifference != 0)
            {
                return Math.Sign(firstDifference);
            }
        }

        return 0;
    }

    /// <summary>'~' sorts before the end of the string, the end and digits before letters, letters before the rest.</summary>
    private static int Weight(string text, int index)
    {
        if (index >= text.Length || char.IsAsciiDigit(text[index]))
        {
            return 0;
        }

        char c = text[index];
        return c == '~' ? -1 : char.IsAsciiLetter(c) ? c : c + 256;
    }
}
