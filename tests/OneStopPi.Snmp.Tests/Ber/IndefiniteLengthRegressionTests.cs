using OneStopPi.Snmp.Messages;

namespace OneStopPi.Snmp.Tests.Ber;

/// <summary>
/// Found by the simulator's mutation test: a varbind list with an indefinite length and no end-of-contents made
/// AsnDecoder.TryReadEncodedValue throw AsnContentException, which escaped the decoder's contract (only
/// SnmpDecodeException for bad input) and would have ended a receive loop.
/// </summary>
public class IndefiniteLengthRegressionTests
{
    [Test]
    public void A_truncated_indefinite_length_is_a_decode_error()
    {
        byte[] datagram = Convert.FromHexString(
            "303702010104067075626C6963A02A02012A0201000201003080300C06082B060102010101000500300F060B2B06010201041F010104020500");

        Assert.Throws<SnmpDecodeException>(() => CommunityMessage.Decode(datagram));
    }
}
