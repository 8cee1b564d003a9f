// The agent runs on Linux only (Raspberry Pi OS / Debian; systemd, /proc, raw sockets).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
