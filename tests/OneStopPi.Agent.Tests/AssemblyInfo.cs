[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Fixtures marked [Parallelizable(ParallelScope.Children)] run this many CLI processes at once.
[assembly: LevelOfParallelism(6)]
