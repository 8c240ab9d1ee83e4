#!/usr/bin/env bash
# The deadline rush (issue 11, item 5): N distinct pre-sealed bids from C concurrent HTTP clients on
# loopback to one `sealbid-portal serve` (release build), for the file store and for PostgreSQL (a
# throwaway cluster, scripts/pg-cluster, with its default durability: fsync and synchronous_commit
# on). Each run prints receipts/s, p50/p99 latency, and beside them the verification ceiling
# measured in the same run: the bids/s of the portal's own verification (PortalService.verify) of
# the same files on every core, without HTTP or storage. Not a test: nothing is asserted.
#   Benchmarks/portal-rush.sh                       # 2,000 x 64 KiB and 200 x 10 MiB at C = 64
#   RUNS="500:65536" CLIENTS=16 Benchmarks/portal-rush.sh
#   WITNESSES="0 2" STORES=file RUNS="1000:65536" Benchmarks/portal-rush.sh   # the cost of two witnesses
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-"2000:65536 200:10485760"}
clients=${CLIENTS:-64}
stores=${STORES:-"file postgres"}
witnesses=${WITNESSES:-0}

(cd "$root/Portal" && swift build -c release --product sealbid-portal && swift build -c release --product portal-load &&
  swift build -c release --product sealbid-witness)
bin=$(cd "$root/Portal" && swift build -c release --show-bin-path)
eval "$("$root/scripts/pg-cluster" start)"
trap '"$root/scripts/pg-cluster" stop "$SEALEDBID_PG_DIR"' EXIT

echo "machine: $(nproc) cores, $(uname -sr); commit $(git -C "$root" rev-parse --short HEAD)"
for run in $runs; do
  for store in $stores; do
    for count in $witnesses; do
      database=$([[ $store == file ]] && echo file || echo "$SEALEDBID_PG_URL")
      work=$(mktemp -d /tmp/sealedbid-rush.XXXXXX)
      "$bin/portal-load" rush --binary "$bin/sealbid-portal" --database "$database" --work "$work" \
        --bids "${run%%:*}" --size "${run##*:}" --clients "$clients" --witnesses "$count" --witness-binary "$bin/sealbid-witness"
      rm -rf "$work"
    done
  done
done
