using MediaStudio.Web.Hosting;

return await StudioWebApp.RunAsync(args, CancellationToken.None);

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
