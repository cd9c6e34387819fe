using System.Text.Json.Serialization.Metadata;

namespace Toil.Runtime.Authoring;

/// <summary>A registration whose input is <typeparamref name="TInput"/>.</summary>
internal interface ITypedJobInput<TInput>
{
    JsonTypeInfo<TInput> InputTypeInfo { get; }
}
