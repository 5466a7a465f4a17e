namespace Crm.Host.Configuration;

/// <summary>A missing or invalid setting: the host stops at start-up with this one message, which names the key.</summary>
public sealed class ConfigurationException(string key, string problem)
    : Exception($"Configuration error: {key} {problem}")
{
    public string Key { get; } = key;
}
