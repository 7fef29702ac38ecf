namespace MediaStudio.Language;

/// <summary>Marks the language model-family assembly; the captioner arrives with issue #8.</summary>
public static class LanguageAssembly
{
    public const string Name = "MediaStudio.Language";
}
