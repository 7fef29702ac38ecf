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
        var command = new Command("serve", "Serve the studio in the browser, with an in-process worker, SQLite and local files.")
        {
            urls,
            dataPath,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            List<string> hostArgs = ["--urls", parse.GetValue(urls)!];
            if (parse.GetValue(dataPath) is { Length: > 0 } data)
            {
                hostArgs.AddRange(["--MediaStudio:Storage:DataPath", data]);
            }

            return StudioWebApp.RunAsync([.. hostArgs], cancellationToken);
        });
        return command;
    }
}
