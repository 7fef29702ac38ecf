using System.Text.Json.Serialization;
using MediaStudio.Media.Images;
using MediaStudio.Synthetic.Metrics;
using MediaStudio.Synthetic.Preview;
using MediaStudio.Synthetic.Recognition;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Autoencoder;

/// <summary>Reconstruction quality of an autoencoder on held-out clean renders.</summary>
/// <param name="Samples">Renders scored.</param>
/// <param name="FirstSeed">First scene seed (the held-out range starts at <see cref="AutoencoderTraining.EvaluationSeedBase"/>).</param>
/// <param name="PsnrDb">Mean PSNR of the reconstructions, dB (8-bit images).</param>
/// <param name="PsnrDbMin">Lowest PSNR of one image, dB.</param>
/// <param name="Ssim">Mean SSIM (Wang et al. 2004, Gaussian window, per channel).</param>
/// <param name="LatentMean">Mean of the scaled latent means s mu over every element.</param>
/// <param name="LatentStd">Standard deviation of the scaled latent means (1 when s fits these scenes).</param>
/// <param name="RecognizerAgreement">Fraction of images whose recognizer-read label is identical for original and reconstruction; null without a recognizer.</param>
/// <param name="RecognizerObjectAgreement">Fraction of scene objects whose recognizer-read shape and colour are the same on original and reconstruction; null without a recognizer.</param>
/// <param name="RecognizerAllCorrectOriginal">Fraction of originals the recognizer reads entirely right; null without a recognizer.</param>
/// <param name="RecognizerAllCorrectReconstruction">Fraction of reconstructions the recognizer reads entirely right; null without a recognizer.</param>
public sealed record AutoencoderEvaluation(
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("first_seed")] long FirstSeed,
    [property: JsonPropertyName("psnr_db")] double PsnrDb,
    [property: JsonPropertyName("psnr_db_min")] double PsnrDbMin,
    [property: JsonPropertyName("ssim")] double Ssim,
    [property: JsonPropertyName("latent_mean")] double LatentMean,
    [property: JsonPropertyName("latent_std")] double LatentStd,
    [property: JsonPropertyName("recognizer_agreement")] double? RecognizerAgreement,
    [property: JsonPropertyName("recognizer_object_agreement")] double? RecognizerObjectAgreement,
    [property: JsonPropertyName("recognizer_all_correct_original")] double? RecognizerAllCorrectOriginal,
    [property: JsonPropertyName("recognizer_all_correct_reconstruction")] double? RecognizerAllCorrectReconstruction)
{
    /// <summary>Scores <paramref name="count"/> held-out clean renders (seeds from <see cref="AutoencoderTraining.EvaluationSeedBase"/>).</summary>
    /// <param name="model">The autoencoder.</param>
    /// <param name="count">Renders.</param>
    /// <param name="recognizer">The scene recognizer, or null to skip the label agreement.</param>
    /// <param name="batchSize">Renders per forward pass.</param>
    /// <returns>The evaluation.</returns>
    public static AutoencoderEvaluation Run(AutoencoderKL model, int count, SceneRecognizer? recognizer, int batchSize = 50)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var size = model.Config.SampleSize;
        var latents = new RunningMoments();
        double psnrSum = 0, ssimSum = 0, psnrMin = double.PositiveInfinity;
        int agree = 0, rightOriginal = 0, rightReconstruction = 0, objects = 0, objectsAgree = 0;
        for (var start = 0; start < count; start += batchSize)
        {
            var n = Math.Min(batchSize, count - start);
            var held = AutoencoderTraining.HeldOut(AutoencoderTraining.EvaluationSeedBase + start, n, size);
            var originals = held.Select(p => p.Image).ToList();
            var reconstructions = Reconstruct(model, originals, latents);
            for (var i = 0; i < n; i++)
            {
                var psnr = Math.Min(ImageMetrics.Psnr(originals[i], reconstructions[i]), 100);
                psnrSum += psnr;
                psnrMin = Math.Min(psnrMin, psnr);
                ssimSum += ImageMetrics.Ssim(originals[i], reconstructions[i]);
            }

            if (recognizer is not null)
            {
                var read = recognizer.Recognize(originals);
                var readBack = recognizer.Recognize(reconstructions);
                for (var i = 0; i < n; i++)
                {
                    var truth = (held[i].Sample.Label.Clean() with { Relation = null }).ToJson();
                    agree += read[i].ToJson() == readBack[i].ToJson() ? 1 : 0;
                    rightOriginal += read[i].ToJson() == truth ? 1 : 0;
                    rightReconstruction += readBack[i].ToJson() == truth ? 1 : 0;
                    foreach (var o in held[i].Sample.Label.Objects)
                    {
                        var before = read[i].Objects.FirstOrDefault(p => p.Region == o.Region);
                        var after = readBack[i].Objects.FirstOrDefault(p => p.Region == o.Region);
                        objects++;
                        objectsAgree += before?.Shape == after?.Shape && before?.Color == after?.Color ? 1 : 0;
                    }
                }
            }
        }

        double? Fraction(int k) => recognizer is null ? null : k / (double)count;
        return new AutoencoderEvaluation(
            count, AutoencoderTraining.EvaluationSeedBase, psnrSum / count, psnrMin, ssimSum / count, latents.Mean, latents.Std,
            Fraction(agree), recognizer is null ? null : objectsAgree / (double)Math.Max(1, objects), Fraction(rightOriginal), Fraction(rightReconstruction));
    }

    /// <summary>Builds the card's sample grid: held-out originals in the top row, their reconstructions below.</summary>
    /// <param name="model">The autoencoder.</param>
    /// <param name="count">Images per row.</param>
    /// <param name="scale">Integer upscaling of each tile.</param>
    /// <returns>The grid.</returns>
    public static RgbImage SampleGrid(AutoencoderKL model, int count = 8, int scale = 2)
    {
        ArgumentNullException.ThrowIfNull(model);
        var size = model.Config.SampleSize;
        var originals = AutoencoderTraining.HeldOut(AutoencoderTraining.EvaluationSeedBase, count, size).Select(p => p.Image).ToList();
        var reconstructions = Reconstruct(model, originals, null);
        return ImageGrid.Compose([.. originals, .. reconstructions], count, scale);
    }

    /// <summary>Encodes to the posterior mean and decodes on the model's device, returning 8-bit images.</summary>
    /// <param name="model">The autoencoder.</param>
    /// <param name="images">Square renders of the model's sample size.</param>
    /// <param name="latents">Receives the scaled latents when not null.</param>
    /// <returns>Reconstructions.</returns>
    public static IReadOnlyList<RgbImage> Reconstruct(AutoencoderKL model, IReadOnlyList<RgbImage> images, RunningMoments? latents)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        model.eval();
        var device = model.parameters().First().device;
        var x = AutoencoderImages.ToBatch(images, model.Config.SampleSize).to(device); // (B, 3, S, S)
        var z = model.EncodeLatents(x);                                     // (B, L, S/f, S/f)
        latents?.Add(z);
        return AutoencoderImages.ToImages(model.DecodeLatents(z));
    }
}
