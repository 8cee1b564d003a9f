// Fixtures marked [Parallelizable(ParallelScope.Children)] (the interop matrix, the walk comparisons) run
// their cases on this many NUnit workers at once. NUnit blocks a worker per async test, so this is also how
// many requests those tests keep in flight on their one shared SnmpClient. Other fixtures run one at a time.
[assembly: LevelOfParallelism(16)]
