// The tests use Unix file modes, symbolic links and POSIX tools; they run on Linux and macOS.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
