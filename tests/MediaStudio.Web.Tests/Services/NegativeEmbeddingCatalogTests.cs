using MediaStudio.Jobs.Models;
using MediaStudio.Web.Services;
using Microsoft.Extensions.Options;

namespace MediaStudio.Web.Tests.Services;

public sealed class NegativeEmbeddingCatalogTests : IDisposable
{
    private readonly string _models = Directory.CreateTempSubdirectory("mediastudio-models-").FullName;

    [Fact]
    public void List_NoNegativesFolder_IsEmpty()
    {
        Assert.Empty(Catalog().List());
    }

    [Fact]
    public void List_FoldersWithCards_GivesNameDescriptionAndFactsSkippingBrokenOnes()
    {
        Write("soft-blur", "card.json", """{"name":"ignored","description":"Avoids blur.","reward_before":0.41,"reward_after":0.63,"prompts":["a","b"]}""");
        Write("anything", "notes.json", """{"summary":"Only file is not card.json."}""");
        Write("broken", "card.json", "{not json");
        Directory.CreateDirectory(Path.Combine(_models, "negatives", "empty"));

        var cards = Catalog().List();

        Assert.Equal(["anything", "soft-blur"], cards.Select(c => c.Name));
        Assert.Equal("Only file is not card.json.", cards[0].Description);
        Assert.Equal("Avoids blur.", cards[1].Description);
        Assert.Equal([new("reward_before", "0.41"), new("reward_after", "0.63"), new("prompts", "2 items")], cards[1].Facts);
        Assert.Equal(["a", "b"], cards[1].Prompts);
        Assert.Null(cards[0].Prompts);
    }

    [Fact]
    public void List_CardsNamingATextTower_AreMarkedWhenItIsNotTheInstalledUNets()
    {
        var installed = new string('a', 64);
        Directory.CreateDirectory(Path.Combine(_models, "unet"));
        File.WriteAllText(Path.Combine(_models, "unet", "SHA256SUMS"), $"{installed}  text_encoder.safetensors\n");
        Write("current", "card.json", $$"""{"text_encoder_sha256":"{{installed}}"}""");
        Write("stale", "card.json", $$"""{"text_encoder_sha256":"{{new string('b', 64)}}"}""");
        Write("unknown", "card.json", """{"description":"no hash recorded"}""");

        var cards = Catalog().List().ToDictionary(c => c.Name);

        Assert.False(cards["current"].TrainedForAnotherModel);
        Assert.True(cards["stale"].TrainedForAnotherModel);
        Assert.False(cards["unknown"].TrainedForAnotherModel);
    }

    [Fact]
    public void List_NoInstalledUNet_MarksNothing()
    {
        Write("any", "card.json", $$"""{"text_encoder_sha256":"{{new string('b', 64)}}"}""");

        Assert.False(Assert.Single(Catalog().List()).TrainedForAnotherModel);
    }

    public void Dispose()
    {
        Directory.Delete(_models, recursive: true);
        GC.SuppressFinalize(this);
    }

    private NegativeEmbeddingCatalog Catalog() => new(Options.Create(new ModelRegistryOptions { Path = _models }));

    private void Write(string name, string file, string json)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_models, "negatives", name)).FullName;
        File.WriteAllText(Path.Combine(folder, file), json);
    }
}
