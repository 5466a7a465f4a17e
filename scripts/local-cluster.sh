#!/usr/bin/env bash
# Starts a 3-node Crm.Actors cluster on this machine, for trying it: node 1 runs the demo environment (mock Kafka,
# local Braze and catalog, sample traffic) and nodes 2 and 3 join it. All three share one journal: PostgreSQL when
# CRM_POSTGRES is set (or the local server ./test.sh sets up answers), else one SQLite file.
# Logs: $CRM_CLUSTER_DIR/node-N.log. Management ports 9110, 9111, 9112. Ctrl+C stops the nodes gracefully.
# CRM_TLS=1: the nodes talk mutual TLS, with a CA and certificate made by deploy/cluster-certs.sh in $CRM_CLUSTER_DIR/certs.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${CRM_CLUSTER_DIR:-/tmp/crm-cluster}
mkdir -p "$dir"
default_pg="Host=127.0.0.1;Port=5432;Username=crm;Password=crm;Database=crm"
postgres=${CRM_POSTGRES:-}
if [[ -z "$postgres" ]] && command -v pg_isready > /dev/null && pg_isready -h 127.0.0.1 -p 5432 > /dev/null 2>&1; then
  postgres=$default_pg
fi
if [[ -n "$postgres" ]]; then
  journal=(--Persistence:Provider=PostgreSql "--Persistence:ConnectionString=$postgres")
  echo "Journal: PostgreSQL ($postgres)"
else
  journal=(--Persistence:Provider=Sqlite "--Persistence:ConnectionString=Data Source=$dir/crm.db")
  echo "Journal: SQLite file shared by the three processes ($dir/crm.db); set CRM_POSTGRES for PostgreSQL"
fi

echo "Building..."
dotnet build src/Crm.Host --configuration Release --nologo --verbosity quiet
host=src/Crm.Host/bin/Release/net10.0/Crm.Host.dll
scheme=akka.tcp
tls=()
if [[ "${CRM_TLS:-}" == 1 ]]; then
  # One certificate for the three processes: they are one host (127.0.0.1) to each other.
  deploy/cluster-certs.sh "$dir/certs" 127.0.0.1
  scheme=akka.ssl.tcp
  tls=(--Cluster:Tls:Enabled=true "--Cluster:Tls:TrustedCaPath=$dir/certs/ca.crt" "--Cluster:Tls:CertificatePath=$dir/certs/127.0.0.1.pfx"
    "--Cluster:Tls:CertificatePassword_FILE=$dir/certs/pfx-password")
  echo "Remoting: mutual TLS, CA $dir/certs/ca.crt"
fi
seed=$scheme://crm@127.0.0.1:4053
pids=()
stop() {
  echo "Stopping the nodes (graceful: drain, commit, leave)..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  wait
}
trap stop INT TERM

dotnet "$host" --demo --Cluster:Port=4053 "--Cluster:SeedNodes=$seed" --Management:Port=9110 "${journal[@]}" "${tls[@]}" > "$dir/node-1.log" 2>&1 &
pids+=($!)
# The demo names its mock Kafka, Braze and catalog addresses on its first line; the other nodes use them.
for _ in $(seq 1 120); do
  grep -q "^Demo: mock Kafka at" "$dir/node-1.log" && break
  kill -0 "${pids[0]}" 2> /dev/null || { cat "$dir/node-1.log"; exit 1; }
  sleep 0.5
done
line=$(grep "^Demo: mock Kafka at" "$dir/node-1.log") || { echo "node 1 did not start: see $dir/node-1.log"; stop; exit 1; }
kafka=$(sed -E 's/.*mock Kafka at ([^,]+),.*/\1/' <<< "$line")
braze=$(sed -E 's/.*local Braze at ([^,]+),.*/\1/' <<< "$line")
catalog=$(sed -E 's/.*catalog at ([^ ]+)\..*/\1/' <<< "$line")

for n in 2 3; do
  dotnet "$host" "--Kafka:BootstrapServers=$kafka" "--Braze:RestEndpoint=$braze" --Braze:ApiKey=demo-local-braze-key \
    "--Catalog:BaseUrl=$catalog" --Cluster:Port=$((4052 + n)) "--Cluster:SeedNodes=$seed" --Management:Port=$((9109 + n)) \
    "${journal[@]}" "${tls[@]}" > "$dir/node-$n.log" 2>&1 &
  pids+=($!)
done

echo "3 nodes up: remoting 4053-4055, management 9110-9112; Kafka $kafka, Braze $braze."
echo "Watch: tail -f $dir/node-*.log   Stop: Ctrl+C"
wait
