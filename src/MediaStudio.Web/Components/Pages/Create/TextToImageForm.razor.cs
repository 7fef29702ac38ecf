using MediaStudio.Jobs.Generation;
using MediaStudio.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace MediaStudio.Web.Components.Pages.Create;

/// <summary>The text-to-image form: fields, validation messages per field, the dice, and Ctrl+Enter.</summary>
public partial class TextToImageForm
{
    private TextToImageDraft _draft = new();
    private TextToImageSpec? _applied;
    private IReadOnlyDictionary<string, string> _errors = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets settings to load into the form; each new object replaces the draft once.</summary>
    [Parameter]
    public TextToImageSpec? Initial { get; set; }

    /// <summary>Gets or sets the learned negative embeddings on offer.</summary>
    [Parameter]
    public IReadOnlyList<NegativeEmbeddingCard> Embeddings { get; set; } = [];

    /// <summary>Gets or sets whether a submission is in flight (the button is disabled).</summary>
    [Parameter]
    public bool Busy { get; set; }

    /// <summary>Gets or sets field errors the server reported ("steps: …"), shown next to their fields.</summary>
    [Parameter]
    public IReadOnlyList<string> ServerErrors { get; set; } = [];

    /// <summary>Gets or sets what happens with a valid spec.</summary>
    [Parameter]
    public EventCallback<TextToImageSpec> OnSubmit { get; set; }

    protected override void OnParametersSet()
    {
        if (Initial is not null && !ReferenceEquals(Initial, _applied))
        {
            _applied = Initial;
            _draft = TextToImageDraft.From(Initial);
            _errors = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        if (ServerErrors.Count > 0)
        {
            _errors = ByField(ServerErrors);
        }
    }

    /// <summary>Splits "field: message" problems into a message per field (the first wins).</summary>
    public static IReadOnlyDictionary<string, string> ByField(IEnumerable<string> problems) =>
        problems
            .Select(p => p.Split(": ", 2))
            .GroupBy(parts => parts.Length == 2 ? parts[0] : "spec", parts => parts[^1], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private string? ErrorOf(string field) => _errors.TryGetValue(field, out var message) ? message : null;

    private void OnNegativeChanged(NegativeChoice choice)
    {
        _draft.NegativeMode = choice.Mode;
        _draft.NegativePrompt = choice.Prompt;
        _draft.NegativeEmbedding = choice.Embedding;
        _draft.Refine = choice.Refine;
    }

    private void RollSeed() => _draft.RollSeed();

    private async Task OnKeyDownAsync(KeyboardEventArgs e)
    {
        if ((e.CtrlKey || e.MetaKey) && e.Key == "Enter")
        {
            await SubmitAsync();
        }
    }

    private async Task SubmitAsync()
    {
        if (Busy)
        {
            return;
        }

        var spec = _draft.ToSpec();
        _errors = ByField(spec.Validate());
        if (_errors.Count == 0)
        {
            await OnSubmit.InvokeAsync(spec);
        }
    }
}
