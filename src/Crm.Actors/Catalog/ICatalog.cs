using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Catalog;

/// <summary>Looks up activity details; null means the catalog does not know the activity (404).</summary>
public interface ICatalog
{
    Task<ActivityDetails?> LookupAsync(string activityId, CancellationToken cancellationToken);
}

/// <summary>Used when <c>Catalog:BaseUrl</c> is unset: no enrichment, events go out with what they carry.</summary>
public sealed class NoCatalog : ICatalog
{
    public static readonly NoCatalog Instance = new();

    public Task<ActivityDetails?> LookupAsync(string activityId, CancellationToken cancellationToken) =>
        Task.FromResult<ActivityDetails?>(null);
}
