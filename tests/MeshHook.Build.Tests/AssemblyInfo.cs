// The tests run the bootstrap scripts at the repository root; running them one at a time keeps two of
// them from compiling build/_build.csproj at the same moment (build.sh also takes a lock for that).
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
