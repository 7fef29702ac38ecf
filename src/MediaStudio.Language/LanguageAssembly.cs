namespace MediaStudio.Language;

/// <summary>Marks the language model-family assembly; home of the captioner (issue #8).</summary>
public static class LanguageAssembly
{
    public const string Name = "MediaStudio.Language";
}
