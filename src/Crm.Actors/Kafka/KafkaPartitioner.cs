using System.Text;

namespace Crm.Actors.Kafka;

/// <summary>
/// The partition a producer picks for a key, so a customer's entity can live in the shard of the partition its
/// records arrive on. librdkafka's default (<c>consistent_random</c>) is CRC-32 of the key modulo the partition
/// count; Java clients use murmur2.
/// </summary>
public static class KafkaPartitioner
{
    /// <summary>librdkafka's name of its default partitioner (CRC-32).</summary>
    public const string ConsistentRandomName = "consistent_random";

    /// <summary>librdkafka's name of the Java-compatible partitioner (murmur2).</summary>
    public const string Murmur2RandomName = "murmur2_random";

    public static readonly IReadOnlyList<string> Names = [ConsistentRandomName, Murmur2RandomName];

    private static readonly uint[] Crc32Table = BuildCrc32Table();

    /// <summary>The partitioner librdkafka knows as <paramref name="name"/>; null when it is not one of <see cref="Names"/>.</summary>
    public static Func<string, int, int>? ByName(string name) => name switch
    {
        ConsistentRandomName => ConsistentRandom,
        Murmur2RandomName => Murmur2,
        _ => null,
    };

    public static int ConsistentRandom(string key, int partitions)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        return (int)(Crc32(bytes) % (uint)partitions);
    }

    public static int Murmur2(string key, int partitions)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        return (Murmur2Hash(bytes) & 0x7fffffff) % partitions;
    }

    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
            crc = Crc32Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>Kafka's Java murmur2 (seed 0x9747b28c), as in <c>Utils.murmur2</c>.</summary>
    public static int Murmur2Hash(ReadOnlySpan<byte> data)
    {
        const uint seed = 0x9747b28c;
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = seed ^ (uint)length;
        var length4 = length / 4;
        for (var i = 0; i < length4; i++)
        {
            var i4 = i * 4;
            var k = (uint)(data[i4] | data[i4 + 1] << 8 | data[i4 + 2] << 16 | data[i4 + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        var tail = length4 * 4;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }
        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }

    private static uint[] BuildCrc32Table()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
