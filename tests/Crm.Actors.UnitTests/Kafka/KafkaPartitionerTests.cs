using System.Text;
using Crm.Actors.Kafka;

namespace Crm.Actors.UnitTests.Kafka;

public class KafkaPartitionerTests
{
    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        // The CRC-32 (IEEE) check value of "123456789".
        Assert.Equal(0xCBF43926u, KafkaPartitioner.Crc32(Encoding.ASCII.GetBytes("123456789")));
    }

    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_the_kafka_java_client(string key, int expected)
    {
        // The cases of Kafka's UtilsTest.testMurmur2.
        Assert.Equal(expected, KafkaPartitioner.Murmur2Hash(Encoding.ASCII.GetBytes(key)));
    }

    [Fact]
    public void Partitions_stay_within_range_and_are_stable()
    {
        for (var i = 0; i < 1000; i++)
        {
            var key = $"cus_{i}";
            var partition = KafkaPartitioner.ConsistentRandom(key, 4);
            Assert.InRange(partition, 0, 3);
            Assert.Equal(partition, KafkaPartitioner.ConsistentRandom(key, 4));
            Assert.InRange(KafkaPartitioner.Murmur2(key, 7), 0, 6);
        }
    }
}
