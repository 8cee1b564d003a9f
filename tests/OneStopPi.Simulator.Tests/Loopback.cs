using System.Net;

namespace OneStopPi.Simulator.Tests;

/// <summary>
/// The addresses and ports these tests use: 127.0.95.0/24 (this suite's range), high ports, one port per
/// fixture so a slow socket close of one fixture never meets the next.
/// </summary>
internal static class Loopback
{
    public static IPAddress At(int lastOctet) => new([127, 0, 95, (byte)lastOctet]);

    public const int WalkPort = 47161;
    public const int LoadPort = 47162;
    public const int V1Port = 47163;
    public const int V3Port = 47164;
    public const int HostilePort = 47165;
    public const int CounterPort = 47166;
    public const int ComparePort = 47167;
    public const int SnmpsimPort = 47168;
    public const int SnmpsimV1Port = 47169;
    public const int DrainPort = 47178;
}
