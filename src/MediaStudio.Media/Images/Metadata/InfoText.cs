using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MediaStudio.Media.Images.Metadata;

/// <summary>AUTOMATIC1111's "infotext": the <c>parameters</c> PNG text chunk that A1111, Forge, SD.Next, InvokeAI's
/// importer and most image browsers read.</summary>
/// <remarks>
/// Layout, as A1111's <c>create_infotext</c> writes it and <c>parse_generation_parameters</c> reads it:
/// the prompt (any number of lines), then optionally <c>Negative prompt: …</c> (continuing over lines), then one last
/// line of <c>Key: value</c> pairs joined by <c>", "</c>: <c>Steps: 20, Sampler: DPM++ 2M, CFG scale: 5, Seed: 123,
/// Size: 64x64, Model: tiny</c>. A value holding a comma, colon or newline is JSON-quoted.
/// </remarks>
/// <param name="Prompt">The positive prompt.</param>
/// <param name="NegativePrompt">The negative prompt, or null when there is none.</param>
/// <param name="Fields">The parameter line's fields in order (Steps, Sampler, CFG scale, Seed, Size, Model, …).</param>
public sealed partial record InfoText(string Prompt, string? NegativePrompt, IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    /// <summary>The PNG text keyword A1111 uses.</summary>
    public const string Keyword = "parameters";

    /// <summary>Gets a field's value, or null when absent.</summary>
    public string? this[string key] => Fields.FirstOrDefault(f => string.Equals(f.Key, key, StringComparison.Ordinal)).Value;

    /// <summary>Gets the steps, when present and numeric.</summary>
    public int? Steps => int.TryParse(this["Steps"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>Gets the CFG scale, when present and numeric.</summary>
    public double? CfgScale => double.TryParse(this["CFG scale"], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>Gets the seed, when present and numeric.</summary>
    public long? Seed => long.TryParse(this["Seed"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>Gets the sampler name as A1111 spells it ("DPM++ 2M", "Euler a").</summary>
    public string? Sampler => this["Sampler"];

    /// <summary>Gets the model name.</summary>
    public string? Model => this["Model"];

    /// <summary>Gets the size, when present as <c>WxH</c>.</summary>
    public (int Width, int Height)? Size
    {
        get
        {
            var match = this["Size"] is { } size ? SizePattern().Match(size) : Match.Empty;
            return match.Success
                ? (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
                : null;
        }
    }

    /// <summary>Builds the usual fields in A1111's order; null values are left out.</summary>
    public static InfoText Create(
        string prompt, string? negativePrompt, int steps, string sampler, double cfgScale, long seed, int width, int height, string? model,
        IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Steps", steps.ToString(CultureInfo.InvariantCulture)),
            new("Sampler", sampler),
            new("CFG scale", cfgScale.ToString("0.###", CultureInfo.InvariantCulture)),
            new("Seed", seed.ToString(CultureInfo.InvariantCulture)),
            new("Size", string.Create(CultureInfo.InvariantCulture, $"{width}x{height}")),
        };
        if (!string.IsNullOrEmpty(model))
        {
            fields.Add(new("Model", model));
        }

        fields.AddRange(extra ?? []);
        return new InfoText(prompt, string.IsNullOrEmpty(negativePrompt) ? null : negativePrompt, fields);
    }

    /// <summary>Writes the text exactly as A1111 does.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Prompt);
        if (!string.IsNullOrEmpty(NegativePrompt))
        {
            text.Append("\nNegative prompt: ").Append(NegativePrompt);
        }

        text.Append('\n').AppendJoin(", ", Fields.Select(f => string.Equals(f.Key, f.Value, StringComparison.Ordinal) ? f.Key : $"{f.Key}: {Quote(f.Value)}"));
        return text.ToString().Trim();
    }

    /// <summary>Reads infotext written by A1111 or a compatible tool.</summary>
    /// <remarks>Follows A1111's <c>parse_generation_parameters</c>: the last line is the parameter line only when it
    /// holds at least three <c>Key: value</c> pairs; otherwise it belongs to the prompts.</remarks>
    public static InfoText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Trim().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        var last = lines[^1];
        var pairs = ParamPattern().Matches(last);
        var fields = new List<KeyValuePair<string, string>>();
        if (pairs.Count >= 3)
        {
            lines.RemoveAt(lines.Count - 1);
            foreach (Match pair in pairs)
            {
                var value = pair.Groups[2].Value;
                fields.Add(new(pair.Groups[1].Value.Trim(), value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? Unquote(value) : value.Trim()));
            }
        }

        var prompt = new List<string>();
        List<string>? negative = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith("Negative prompt:", StringComparison.Ordinal))
            {
                negative ??= [];
                line = line["Negative prompt:".Length..].Trim();
            }

            (negative ?? prompt).Add(line);
        }

        var negativeText = negative is null ? null : string.Join('\n', negative);
        return new InfoText(string.Join('\n', prompt), string.IsNullOrEmpty(negativeText) ? null : negativeText, fields);
    }

    private static string Quote(string value) =>
        value.Contains(',', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal) || value.Contains(':', StringComparison.Ordinal)
            ? JsonSerializer.Serialize(value, QuoteOptions)
            : value;

    private static string Unquote(string value)
    {
        try
        {
            return JsonSerializer.Deserialize<string>(value) ?? value;
        }
        catch (JsonException)
        {
            return value;
        }
    }

    // A1111's json.dumps(ensure_ascii=False): only quotes, backslashes and control characters are escaped
    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // A1111 infotext_utils.re_param_code
    [GeneratedRegex("""\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)""")]
    private static partial Regex ParamPattern();

    [GeneratedRegex(@"^(\d+)x(\d+)$")]
    private static partial Regex SizePattern();
}
