using System.Runtime.CompilerServices;

namespace MeshHook.Testing;

/// <summary>Every test project that starts processes claims its run before any test runs (see <see cref="TestRunOwner"/>).</summary>
static class ClaimTestRun
{
#pragma warning disable CA2255 // a test assembly, not a library: this must run before the first test starts a process
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => TestRunOwner.Claim();
}
