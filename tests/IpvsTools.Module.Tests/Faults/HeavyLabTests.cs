using Xunit;

namespace IpvsTools.ModuleTests.Faults;

/// <summary>
/// Lab tests that load the guest on purpose (a process churning IPVS without pause, 1,500 extra
/// services in the kernel's one table, a second PowerShell engine for minutes): they run alone, after
/// the others, so that the others' time limits do not pay for them.
/// </summary>
[CollectionDefinition(nameof(HeavyLabTests), DisableParallelization = true)]
public sealed class HeavyLabTests;
