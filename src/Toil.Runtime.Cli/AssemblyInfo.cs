// The executors it hosts are Unix programs (process groups, signals, /bin/sh).
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
