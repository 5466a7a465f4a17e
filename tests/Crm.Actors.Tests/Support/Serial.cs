namespace Crm.Actors.Tests.Support;

/// <summary>
/// The test classes that run alone, after the others (which run two at a time): they stop PostgreSQL or share it with
/// clusters of nodes, kill processes, or keep both cores busy on purpose, and beside another class they would test the
/// machine instead of the service. The classes that read a node's scrape are here too: OpenTelemetry listens to meters
/// by name, so a scrape would also count the instruments of another class's node running in the same test process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Serial
{
    public const string Name = "serial";
}
