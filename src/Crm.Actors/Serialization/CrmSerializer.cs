using System.Text.Json;
using Akka.Actor;
using System.Runtime.Serialization;
using Akka.Serialization;
using Crm.Actors.Customers;
using Crm.Actors.Domain;

namespace Crm.Actors.Serialization;

/// <summary>
/// What the journal and snapshot store hold, as JSON with stable manifests. The stored form is named by these
/// manifests, not by CLR type names, so classes can be renamed or moved without breaking recovery; a new shape
/// gets a new manifest (".v2") and the old one keeps being read.
/// </summary>
public sealed class CrmSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4711;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General);

    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(TripBooked)] = "trip-booked.v1",
        [typeof(TripClosed)] = "trip-closed.v1",
        [typeof(CustomerSnapshot)] = "customer-snapshot.v1",
    };

    private static readonly Dictionary<string, Type> Types = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>The types this serializer is bound to.</summary>
    public static IEnumerable<Type> BoundTypes => Manifests.Keys;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} is not serialized by {nameof(CrmSerializer)}", nameof(o));

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Options) ?? throw new SerializationException($"empty {manifest}")
            : throw new SerializationException($"unknown manifest '{manifest}'");
}
