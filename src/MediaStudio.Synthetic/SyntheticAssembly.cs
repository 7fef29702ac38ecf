namespace MediaStudio.Synthetic;

/// <summary>Marks the procedural-world assembly; scenes and evaluators arrive with issue #4.</summary>
public static class SyntheticAssembly
{
    public const string Name = "MediaStudio.Synthetic";
}
