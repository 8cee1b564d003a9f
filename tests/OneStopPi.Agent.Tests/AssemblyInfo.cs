[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// The service fixtures mostly wait on processes (agent, portal, snmpsim): more of them than cores may run at once.
[assembly: LevelOfParallelism(4)]
