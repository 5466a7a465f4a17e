using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Crm.Actors.Tests.Support;

/// <summary>Reads the SQLite journal directly, to check what the service persisted.</summary>
public static class JournalInspector
{
    /// <summary>How many TripBooked facts each (customer, booking) has in the journal.</summary>
    public static Dictionary<(string PersistenceId, string BookingId), int> TripsBooked(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT persistence_id, message FROM journal WHERE deleted = 0";
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<(string, string), int>();
        while (reader.Read())
        {
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString((byte[])reader[1]));
            if (!json.RootElement.TryGetProperty("Trip", out var trip)) continue;
            var key = (reader.GetString(0), trip.GetProperty("BookingId").GetString()!);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }
}
