// Integration tests start actor systems, Kafka clusters and HTTP servers. Most of their time is waiting (backoffs,
// timeouts, rebalances), so two classes run at a time; the classes of the Serial collection run alone, after them.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
