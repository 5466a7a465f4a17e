using Microsoft.Extensions.Primitives;

namespace Crm.Host.Configuration;

/// <summary>
/// The container convention for secrets (as the official postgres image reads <c>POSTGRES_PASSWORD_FILE</c>): a key the
/// service reads may instead be given as <c>&lt;key&gt;_FILE</c>, naming a file whose content is the value, e.g. the
/// environment variable <c>Braze__ApiKey_FILE=/run/secrets/braze_api_key</c> for <c>Braze:ApiKey</c>. Trailing line
/// breaks are dropped (files written by <c>echo</c> end in one). Setting a key both ways is an error, as is a file
/// that cannot be read; the messages name the key and the path, never the content. Only keys the service asks for are
/// looked up, so other <c>*_FILE</c> variables of the environment are left alone.
/// </summary>
public sealed class SecretFiles(IConfiguration configuration) : IConfiguration
{
    public const string Suffix = "_FILE";

    /// <summary>The value of <paramref name="key"/>, read from the file <c>&lt;key&gt;_FILE</c> names when that is set.</summary>
    public string? this[string key]
    {
        get => Resolve(key, configuration[key], configuration[key + Suffix]);
        set => configuration[key] = value;
    }

    /// <summary>The values of a section by key (e.g. <c>Kafka:Client</c>), those given as <c>&lt;key&gt;_FILE</c> read from their files.</summary>
    public IReadOnlyDictionary<string, string> Values(string section)
    {
        var children = configuration.GetSection(section).GetChildren().Where(c => c.Value is not null).ToList();
        var values = children.Where(c => !IsFileKey(c.Key)).ToDictionary(c => c.Key, c => c.Value!);
        foreach (var child in children.Where(c => IsFileKey(c.Key)))
        {
            var key = child.Key[..^Suffix.Length];
            values[key] = Resolve($"{section}:{key}", values.GetValueOrDefault(key), child.Value)!;
        }
        return values;
    }

    public IConfigurationSection GetSection(string key) => configuration.GetSection(key);

    public IEnumerable<IConfigurationSection> GetChildren() => configuration.GetChildren();

    public IChangeToken GetReloadToken() => configuration.GetReloadToken();

    private static bool IsFileKey(string key) => key.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase);

    private static string? Resolve(string key, string? direct, string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return direct;
        if (direct is not null) throw new ConfigurationException(key, $"is set both directly and through {key}{Suffix}: set one of them");
        try
        {
            return File.ReadAllText(path.Trim()).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigurationException(key + Suffix, $"names a file that cannot be read: {path.Trim()} ({e.Message})");
        }
    }
}
