using System.Text;
using System.Text.Json.Nodes;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.Executors.Tests.Contained;

public class ContainedExecutorPayloadTests
{
    private static readonly JobResource Resource = new(JobResourceKind.File, "Jobs.dll", new string('a', 32), "file:/store", "files/x/Jobs.dll", new string('b', 64));

    private static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    private static JsonObject Json(string argument) => JsonNode.Parse(Convert.FromBase64String(argument))!.AsObject();

    [Test]
    public void PackJob_CommandOnly_HasOnlyCommandKey()
    {
        var argv = ContainedExecutor.PackJob("toil-worker a b c");

        argv.Should().HaveCount(2);
        argv[0].Should().Be("toil-contained-executor");
        var json = Json(argv[1]);
        json.Select(p => p.Key).Should().Equal("command");
        json["command"]!.GetValue<string>().Should().Be("toil-worker a b c");
    }

    [Test]
    public void PackJob_EmptyEnvironment_KeepsEmptyEnvironmentKey()
    {
        var json = Json(ContainedExecutor.PackJob("true", environment: new Dictionary<string, string>())[1]);

        json.Select(p => p.Key).Should().BeEquivalentTo("command", "environment");
        json["environment"]!.AsObject().Should().BeEmpty();
    }

    [Test]
    public void Decode_PackedPayload_RoundTrips()
    {
        var env = new Dictionary<string, string> { ["TMPDIR"] = "/var/tmp", ["OMP_NUM_THREADS"] = "2" };
        string arg = ContainedExecutor.PackJob("toil-worker x", Resource, env)[1];

        var payload = ContainedExecutorPayload.Decode(arg);

        payload.Command.Should().Be("toil-worker x");
        payload.Environment.Should().BeEquivalentTo(env);
        payload.UserScript.Should().BeEquivalentTo(Resource);
        var userScript = Json(arg)["userScript"]!.AsObject();
        userScript["kind"]!.GetValue<string>().Should().Be("file");
        userScript.Select(p => p.Key).Should().BeEquivalentTo("kind", "name", "pathHash", "jobStore", "fileId", "sha256");
    }

    [Test]
    public void Decode_UnknownKeys_AreIgnored()
    {
        ContainedExecutorPayload.Decode(B64("""{"command":"true","future":1}""")).Command.Should().Be("true");
    }

    [TestCase("not base64!!", "base64")]
    [TestCase("", "command")]
    public void Decode_NotBase64OrEmpty_Throws(string argument, string mention)
    {
        var act = () => ContainedExecutorPayload.Decode(argument);

        act.Should().Throw<ContainedExecutorPayloadException>().WithMessage($"*{mention}*");
    }

    [TestCase("{not json", TestName = "Decode_MalformedJson_Throws")]
    [TestCase("[\"command\"]", TestName = "Decode_JsonArray_Throws")]
    [TestCase("\"command\"", TestName = "Decode_JsonString_Throws")]
    [TestCase("null", TestName = "Decode_JsonNull_Throws")]
    [TestCase("{}", TestName = "Decode_MissingCommand_Throws")]
    [TestCase("{\"command\":null}", TestName = "Decode_NullCommand_Throws")]
    [TestCase("{\"command\":42}", TestName = "Decode_NumberCommand_Throws")]
    [TestCase("{\"command\":\"  \"}", TestName = "Decode_BlankCommand_Throws")]
    [TestCase("{\"command\":\"true\",\"environment\":{\"A\":null}}", TestName = "Decode_NullVariableValue_Throws")]
    [TestCase("{\"command\":\"true\",\"environment\":{\"A=B\":\"x\"}}", TestName = "Decode_VariableNameWithEquals_Throws")]
    [TestCase("{\"command\":\"true\",\"environment\":[\"A\"]}", TestName = "Decode_EnvironmentNotObject_Throws")]
    [TestCase("{\"command\":\"true\",\"userScript\":{\"kind\":\"zip\",\"name\":\"a\",\"pathHash\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"jobStore\":\"s\",\"fileId\":\"f\",\"sha256\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}}", TestName = "Decode_UnknownResourceKind_Throws")]
    [TestCase("{\"command\":\"true\",\"userScript\":{\"kind\":\"file\",\"name\":\"../x\",\"pathHash\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"jobStore\":\"s\",\"fileId\":\"f\",\"sha256\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}}", TestName = "Decode_ResourceNameWithSlash_Throws")]
    [TestCase("{\"command\":\"true\",\"userScript\":{\"kind\":\"file\",\"name\":\"x\",\"pathHash\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"jobStore\":\"s\",\"fileId\":\"f\",\"sha256\":\"../../etc\"}}", TestName = "Decode_ResourceHashNotHex_Throws")]
    [TestCase("{\"command\":\"true\",\"userScript\":{\"kind\":\"file\",\"name\":\"x\"}}", TestName = "Decode_ResourceMissingFields_Throws")]
    public void Decode_InvalidJson_Throws(string json)
    {
        var act = () => ContainedExecutorPayload.Decode(B64(json));

        act.Should().Throw<ContainedExecutorPayloadException>();
    }

    [Test]
    public void PackJob_InvalidCommand_Throws()
    {
        var act = () => ContainedExecutor.PackJob("a\0b");

        act.Should().Throw<ContainedExecutorPayloadException>();
    }
}
