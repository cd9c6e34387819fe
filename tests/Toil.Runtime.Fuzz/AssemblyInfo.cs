// The executors (and so their fuzz targets) are Unix programs: process groups, signals and /bin/sh.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
