[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// CLI fixtures ([Parallelizable(ParallelScope.Children)]) and the service fixtures mostly wait on processes
// (onestoppi, the portal, snmpsim): more of them than cores may run at once.
[assembly: LevelOfParallelism(6)]
