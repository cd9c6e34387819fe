using System.Text;
using Toil.Runtime.Jobs;
using Toil.Runtime.Serialization;
using Toil.Runtime.Stats;

namespace Toil.Runtime.Fuzz.Targets;

/// <summary>The valid documents the generators start from, one set per format.</summary>
public static class ValidDocuments
{
    /// <summary>Job records: a plain job, a rich checkpoint job with every field, a job with services.</summary>
    public static string[] JobRecords(string id = "kind-fuzz/instance-0123456789abcdef0123456789abcdef")
    {
        var plain = new JobDescription("plain", new JobRequirements()) { JobStoreId = id };
        plain.SetSuccessorPhases([[], []]);

        var rich = new CheckpointJobDescription("rich", new JobRequirements
        {
            Memory = "2Gi",
            Cores = 0.25,
            Disk = 3_000_000_000,
            Preemptible = true,
            Walltime = TimeSpan.FromSeconds(1.5),
            Accelerators = [new AcceleratorRequirement(2, "gpu", "a100", "nvidia", "cuda")],
        }, unitName: "unit", displayName: "Rich", local: true)
        {
            JobStoreId = id,
            RemainingTryCountOverride = 3,
            RetryBackoffSecondsOverride = 6,
            PredecessorNumber = 2,
            LogJobStoreFileId = "files-flat/file-0/log",
            Version = 12,
            VersionWriter = 4242,
        };
        rich.AttachBody(new JobBody("rich.type", "files-flat/file-1/input.json"));
        rich.SetCheckpoint();
        rich.AttachBody(new JobBody("rich.type", "files-flat/file-2/input.json"));
        rich.CheckpointFilesToDelete.AddRange(["promise-1", "promise-2"]);
        rich.SetSuccessorPhases([["adopted-a"], [], ["follow"], ["child-1", "child-2"]]);
        rich.AddServiceHostJob("svc");
        rich.AddServiceHostJob("svc-child", "svc");
        rich.PredecessorsFinished.Add("pred");
        rich.FilesToDelete.AddRange(["del-2", "del-1"]);
        rich.MergedJobNames.Add(new JobNames("a", "ua", "A", "A-stats", "id-a"));
        rich.FilesToUse.Add("use-1");

        return [Text(JobDescriptionSerializer.Serialize(plain)), Text(JobDescriptionSerializer.Serialize(rich))];
    }

    /// <summary>Workflow configurations.</summary>
    public static string[] Configs() =>
    [
        Text(JobDescriptionSerializer.SerializeConfig(new WorkflowConfig { WorkflowId = "w" })),
        Text(JobDescriptionSerializer.SerializeConfig(new WorkflowConfig
        {
            WorkflowId = "w2",
            DefaultAccelerators = [new AcceleratorRequirement(1, "gpu", null, null, null)],
            JobAssemblies = ["/opt/jobs/a.dll"],
            RetryCount = 3,
        })),
    ];

    /// <summary>Stats and leader messages, as a worker writes them.</summary>
    public static string[] Stats()
    {
        var full = new StatsDocument
        {
            Jobs = [new JobStatsRecord { Start = "1.5", Time = "0.1", Clock = "0.05", ClassName = "Job", Memory = "1024", RequestedCores = "1", Disk = "0", Succeeded = "True" }],
            Workers = new WorkerStatsRecord
            {
                LogsToLeader = [new LeaderMessageRecord { Text = "hello", Level = 20 }],
                LoggingUserStreams = [new UserStreamRecord { Name = "a.b", Text = "text" }],
                RequestedCores = 1,
                Time = "1",
                Clock = "1",
                Memory = "1",
                Disk = "1",
                JobsRun = 1,
            },
            Logs = new WorkerLogsRecord { Names = ["Job"], Messages = ["line 1", "line 2"] },
        };
        return [Text(full.ToUtf8Json()), Text(new StatsDocument().ToUtf8Json())];
    }

    /// <summary>Deferred-function state documents (<c>WORKER</c> is replaced by the worker ID).</summary>
    public static string[] DeferredStates() =>
    [
        """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"a"}},{"name":"note","arguments":{"Text":"b"}}]}""",
        """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"unregistered","arguments":{"x":[1,2]}}]}""",
        """{"schemaVersion":1,"workerId":"WORKER","functions":[]}""",
    ];

    /// <summary>Contained-executor payloads (JSON before base64).</summary>
    public static string[] ContainedPayloads() =>
    [
        """{"command":"toil-worker job file:/store kind-a/instance-1"}""",
        """{"command":"echo hi","environment":{"TMPDIR":"/var/tmp","A":""},"userScript":{"kind":"file","name":"jobs.dll","pathHash":"0123456789abcdef0123456789abcdef","jobStore":"file:/store","fileId":"files-flat/file-1/jobs.dll","sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}""",
    ];

    /// <summary>Real-time log datagrams, as Toil's Python and our .NET workers send them.</summary>
    public static string[] Datagrams() =>
    [
        """{"name":"toil.worker","msg":"Job %s used %d%% of %.1f GiB","args":["a",50,1.5],"levelname":"INFO","levelno":20,"exc_text":null,"created":1700000000.5,"threadName":"MainThread","process":1234}""",
        """{"msg":"%(x)s and %(y)r","args":{"x":1,"y":"z"},"levelno":40}""",
        """{"name":"n","msg":"plain","levelname":"WARNING"}""",
    ];

    /// <summary>Mesos executor events (v1 HTTP API, JSON).</summary>
    public static string[] MesosEvents() =>
    [
        """{"type":"SUBSCRIBED","subscribed":{"executor_info":{"executor_id":{"value":"e"}},"framework_info":{"id":{"value":"f"},"name":"toil"},"agent_info":{"hostname":"node1","port":5051,"id":{"value":"a"}}}}""",
        """{"type":"LAUNCH","launch":{"task":{"name":"t","task_id":{"value":"task-1"},"agent_id":{"value":"a"},"data":"eyJjb21tYW5kIjoiZWNobyJ9"}}}""",
        """{"type":"LAUNCH_GROUP","launch_group":{"task_group":{"tasks":[{"task_id":{"value":"t1"}},{"task_id":{"value":"t2"}}]}}}""",
        """{"type":"KILL","kill":{"task_id":{"value":"task-1"}}}""",
        """{"type":"ACKNOWLEDGED","acknowledged":{"task_id":{"value":"task-1"},"uuid":"AAECAwQFBgcICQoLDA0ODw=="}}""",
        """{"type":"MESSAGE","message":{"data":"aGk="}}""",
        """{"type":"ERROR","error":{"message":"bad"}}""",
        """{"type":"HEARTBEAT"}""",
        """{"type":"SHUTDOWN"}""",
    ];

    private static string Text(byte[] utf8) => Encoding.UTF8.GetString(utf8);
}
