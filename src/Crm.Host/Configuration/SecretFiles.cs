namespace Crm.Host.Configuration;

/// <summary>
/// The container convention for secrets (as the official postgres image reads <c>POSTGRES_PASSWORD_FILE</c>): any key
/// may instead be given as <c>&lt;key&gt;_FILE</c>, naming a file whose content is the value, e.g. the environment
/// variable <c>Braze__ApiKey_FILE=/run/secrets/braze_api_key</c> for <c>Braze:ApiKey</c>. Trailing line breaks are
/// dropped (files written by <c>echo</c> end in one). Setting a key both ways is an error, as is a file that cannot
/// be read; the messages name the key and the path, never the content.
/// </summary>
public static class SecretFiles
{
    public const string Suffix = "_FILE";

    public static bool IsFileKey(string key) => key.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase);

    /// <summary><paramref name="configuration"/> with every <c>_FILE</c> key's file read into its key (itself when there is none).</summary>
    public static IConfiguration Resolve(IConfiguration configuration)
    {
        var fromFiles = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (fileKey, path) in configuration.AsEnumerable())
        {
            if (string.IsNullOrWhiteSpace(path) || !IsFileKey(fileKey)) continue;
            var key = fileKey[..^Suffix.Length];
            if (configuration[key] is not null)
                throw new ConfigurationException(key, $"is set both directly and through {fileKey}: set one of them");
            fromFiles[key] = Read(fileKey, path.Trim());
        }
        return fromFiles.Count == 0
            ? configuration
            : new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(fromFiles).Build();
    }

    private static string Read(string fileKey, string path)
    {
        try
        {
            return File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigurationException(fileKey, $"names a file that cannot be read: {path} ({e.Message})");
        }
    }
}
