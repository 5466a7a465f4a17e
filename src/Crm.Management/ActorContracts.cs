namespace Crm.Management;

/// <summary>One actor of the hierarchy: its depth below the root asked for and how many children it has.</summary>
public sealed record ActorEntry(string Path, int Depth, int Children);

/// <summary>The actors under <paramref name="Root"/> down to <paramref name="Depth"/> levels (<c>actor hierarchy</c>).</summary>
public sealed record ActorHierarchyView(string Node, string Root, int Depth, IReadOnlyList<ActorEntry> Actors);
