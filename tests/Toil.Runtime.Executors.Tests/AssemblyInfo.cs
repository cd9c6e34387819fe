// These tests start Unix processes (process groups, signals, /bin/sh).
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
