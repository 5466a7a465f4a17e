namespace Crm.Actors.Tests.Support;

/// <summary>Files of this repository (deploy/, README.md), found from the test binaries upwards.</summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Crm.Actors.sln"))) return folder.FullName;
        throw new InvalidOperationException($"no Crm.Actors.sln above {AppContext.BaseDirectory}");
    });

    /// <summary>The absolute path of <paramref name="relative"/> (e.g. <c>deploy/prometheus/crm-alerts.yml</c>).</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root.Value, relative);

    public static string Read(string relative) => File.ReadAllText(Path(relative));
}
