#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: restores, builds and tests everything.
# Tests use librdkafka's mock Kafka cluster, local HTTP servers and SQLite: nothing else to install.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test Crm.Actors.sln --configuration Release --logger "console;verbosity=normal" "$@"
