// These tests start Unix processes and send them signals.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
