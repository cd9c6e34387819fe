// The executors are Unix programs: process groups, signals and /bin/sh.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
