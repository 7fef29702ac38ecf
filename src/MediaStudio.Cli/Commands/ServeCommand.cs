using System.CommandLine;
using MediaStudio.Web.Hosting;

namespace MediaStudio.Cli.Commands;

/// <summary><c>mediastudio serve</c>: the web studio with its in-process worker.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Addresses to listen on, separated by ';'.",
            DefaultValueFactory = _ => "http://127.0.0.1:5000",
        };
        var dataPath = new Option<string?>("--data")
        {
            Description = "Data folder for the database, queue and files (default: ./data).",
        };
        var noWorker = new Option<bool>("--no-worker")
        {
            Description = "Serve only; leave the queue to `mediastudio worker` processes.",
        };
        var command = new Command("serve", "Serve the studio in the browser, with an in-process worker, SQLite and local files.")
        {
            urls,
            dataPath,
            noWorker,
        };
        // anything else (--MediaStudio:Queue:Storage PostgreSql, ...) is configuration for the host
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) =>
        {
            List<string> hostArgs = ["--urls", parse.GetValue(urls)!];
            if (parse.GetValue(dataPath) is { Length: > 0 } data)
            {
                hostArgs.AddRange(["--MediaStudio:Storage:DataPath", data]);
            }

            if (parse.GetValue(noWorker))
            {
                hostArgs.AddRange(["--MediaStudio:Queue:RunWorker", "false"]);
            }

            return StudioWebApp.RunAsync([.. hostArgs, .. parse.UnmatchedTokens], cancellationToken);
        });
        return command;
    }
}
