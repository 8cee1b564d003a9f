// dpkg, chroot and mmdebstrap: Debian only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
