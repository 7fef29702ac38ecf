namespace MediaStudio.Language.Tests;

/// <summary>libtorch tests share process-wide state (threads, RNG), so they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeTestGroup
{
    public const string Name = "native";
}
