using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using static TorchSharp.torch;

namespace MediaStudio.Diffusion.Tests.Autoencoder;

/// <summary>Shape approvals for the autoencoder tests: "key: shape dtype" lines compared with Autoencoder/Approvals/&lt;name&gt;.approved.txt.</summary>
/// <remarks>The approved file is read from the test output (the project copies Approvals there, because CI maps source
/// paths to /_/); the .received.txt goes beside the source approval when the source tree is reachable, else beside the copy.</remarks>
internal static class AutoencoderApproval
{
    public static string Describe(nn.Module module)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in module.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{key}: [{string.Join(", ", value.shape)}] {value.dtype}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"parameters: {module.parameters().Sum(p => p.numel())}\n");
        return text.ToString();
    }

    public static void Verify(string name, string received)
    {
        // this file sits in <project>/Autoencoder, so the copy is at <output>/Autoencoder/Approvals
        var outputFolder = Path.Combine(AppContext.BaseDirectory, "Autoencoder", "Approvals");
        var approvedPath = Path.Combine(outputFolder, name + ".approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : null;
        if (approved == received)
        {
            return;
        }

        var sourceFolder = Path.Combine(Path.GetDirectoryName(ThisFile())!, "Approvals");
        var receivedFolder = Directory.Exists(sourceFolder) ? sourceFolder : outputFolder;
        Directory.CreateDirectory(receivedFolder);
        var receivedPath = Path.Combine(receivedFolder, name + ".received.txt");
        File.WriteAllText(receivedPath, received);
        Assert.Fail($"{name} differs from {approvedPath}; inspect {receivedPath} and rename it to accept");
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
