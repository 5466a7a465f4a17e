// Integration tests start actor systems, Kafka clusters and HTTP servers; on a 2-core machine they are
// more reliable one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
