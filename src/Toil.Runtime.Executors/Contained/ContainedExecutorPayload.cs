using System.Text.Json;
using System.Text.Json.Serialization;
using Toil.Runtime.Executors.Resources;
using Toil.Runtime.Executors.Serialization;

namespace Toil.Runtime.Executors.Contained;

/// <summary>
/// What the contained executor runs: base64 (standard alphabet, padded) of a UTF-8 JSON object with Toil's keys
/// <c>command</c>, optional <c>environment</c> and optional <c>userScript</c> (JSON instead of pickle: docs/decisions.md#contained-executor).
/// </summary>
/// <remarks>Example: <c>{"command":"toil-worker ...","environment":{"TMPDIR":"/var/tmp"},"userScript":{...}}</c>;
/// <c>userScript</c> has the shape of <see cref="JobResource"/>. Unknown keys are ignored.</remarks>
public sealed class ContainedExecutorPayload
{
    /// <summary>Creates a payload.</summary>
    /// <param name="command">The command line run under <c>/bin/sh -c</c>.</param>
    /// <param name="environment">Variables set for the command, or <see langword="null"/> (the key is then omitted).</param>
    /// <param name="userScript">A resource to deploy before the command runs, or <see langword="null"/>.</param>
    [JsonConstructor]
    public ContainedExecutorPayload(string command, IReadOnlyDictionary<string, string>? environment = null, JobResource? userScript = null)
    {
        Command = command;
        Environment = environment;
        UserScript = userScript;
    }

    /// <summary>The command line run under <c>/bin/sh -c</c>.</summary>
    [JsonPropertyName("command")]
    public string Command { get; }

    /// <summary>Variables set for the command (on top of the executor's environment), or <see langword="null"/>.</summary>
    [JsonPropertyName("environment")]
    public IReadOnlyDictionary<string, string>? Environment { get; }

    /// <summary>A job assembly or directory to deploy before the command runs, or <see langword="null"/>.</summary>
    [JsonPropertyName("userScript")]
    public JobResource? UserScript { get; }

    /// <summary>Decodes an executor argument.</summary>
    /// <param name="argument">Base64 of the JSON object.</param>
    /// <returns>The validated payload.</returns>
    /// <exception cref="ContainedExecutorPayloadException">The argument is not base64, not a JSON object of the
    /// expected shape, lacks a command, or carries an invalid variable or resource.</exception>
    public static ContainedExecutorPayload Decode(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        byte[] json;
        try
        {
            json = Convert.FromBase64String(argument);
        }
        catch (FormatException ex)
        {
            throw new ContainedExecutorPayloadException("the executor argument is not valid base64", ex);
        }

        ContainedExecutorPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(json, ExecutorsJsonContext.Default.ContainedExecutorPayload);
        }
        catch (JsonException ex)
        {
            throw new ContainedExecutorPayloadException($"the executor payload is not a JSON object with a string 'command': {ex.Message}", ex);
        }

        if (payload is null)
        {
            throw new ContainedExecutorPayloadException("the executor payload is JSON null, not an object with a 'command'");
        }

        payload.Validate();
        return payload;
    }

    /// <summary>Encodes the payload as the executor's argument.</summary>
    /// <returns>Base64 of the JSON object.</returns>
    /// <exception cref="ContainedExecutorPayloadException">The payload is invalid.</exception>
    public string Encode()
    {
        Validate();
        return Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(this, ExecutorsJsonContext.Default.ContainedExecutorPayload));
    }

    private void Validate()
    {
        if (string.IsNullOrWhiteSpace(Command))
        {
            throw new ContainedExecutorPayloadException("the executor payload's 'command' is empty");
        }

        if (Command.Contains('\0', StringComparison.Ordinal))
        {
            throw new ContainedExecutorPayloadException("the executor payload's 'command' contains a NUL character");
        }

        if (Environment is not null)
        {
            foreach (var (name, value) in Environment)
            {
                if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal)
                    || value is null || value.Contains('\0', StringComparison.Ordinal))
                {
                    throw new ContainedExecutorPayloadException($"the executor payload's environment variable '{name}' has an invalid name or value");
                }
            }
        }

        try
        {
            UserScript?.Validate();
        }
        catch (JobResourceException ex)
        {
            throw new ContainedExecutorPayloadException($"the executor payload's 'userScript' is invalid: {ex.Message}", ex);
        }
    }

}
