#!/usr/bin/env bash
# Side by side, in one run on this machine: the machine's ceilings (openssl speed),
# SealedBid's bulk opening (every check on), and `age -d` on the same number of
# files of the same size. Prints a table of absolute figures and ratios.
#
#   Benchmarks/compare.sh [COUNT] [SIZE_BYTES]      (default 1000 x 1 MiB)
#
# Output files go to /dev/shm (tmpfs) for both tools, so the comparison is of
# CPU work, not of the disk. Needs: openssl, age (installed if missing), Swift.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
sealedbid_install_system_packages
command -v age >/dev/null || { sudo_cmd=""; [[ $(id -u) -eq 0 ]] || sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq age >/dev/null; }

count=${1:-1000}
size=${2:-1048576}
work=$(mktemp -d /dev/shm/sealbid-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT

swift build -c release --product sealbid >/dev/null
sealbid=.build/release/sealbid

speed() {  # openssl speed, bytes/s at 16 KiB for $1
  openssl speed -seconds 2 -bytes 16384 "$@" 2>/dev/null | awk '/^[A-Za-z0-9-]+ +[0-9.]+k/ {v=$NF; sub("k","",v); print v*1000}' | tail -1
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(openssl version)"
aes=$(speed -evp aes-256-gcm)
sha=$(speed -evp sha256)
aes2=$(speed -multi 2 -evp aes-256-gcm)
ecdh=$(openssl speed -seconds 2 ecdhp256 2>/dev/null | awk '/256 bits ecdh/ {print $NF}' | tail -1)
ed=$(openssl speed -seconds 2 ed25519 2>/dev/null | awk '/253 bits EdDSA/ {print $(NF)}' | tail -1)
onepass=$(python3 -c "print(1/(1/$aes+1/$sha))")

# SealedBid: seal, log and close COUNT bids, then open them (threshold 3, every check on).
lib=$("$sealbid" bench --count "$count" --size "$size" --threshold 3 --dir "$work/lib")
lib1=$(rm -rf "$work/lib" && "$sealbid" bench --count "$count" --size "$size" --threshold 3 --workers 1 --dir "$work/lib")
rm -rf "$work/lib"

# age: the same number of files of the same size, decrypted one by one.
mkdir -p "$work/age"
age-keygen -o "$work/age/key.txt" 2>/dev/null
recipient=$(grep -o 'age1[0-9a-z]*' "$work/age/key.txt" | head -1)
head -c "$size" /dev/urandom > "$work/age/plain"
for i in $(seq 1 "$count"); do age -r "$recipient" -o "$work/age/$i.age" "$work/age/plain"; done
start=$(date +%s.%N)
for i in $(seq 1 "$count"); do age -d -i "$work/age/key.txt" -o "$work/age/$i.out" "$work/age/$i.age"; done
end=$(date +%s.%N)

python3 - "$aes" "$sha" "$aes2" "$ecdh" "$ed" "$onepass" "$count" "$size" "$start" "$end" "$lib" "$lib1" <<'PY'
import json, sys
aes, sha, aes2, ecdh, ed, onepass = (float(x) for x in sys.argv[1:7])
count, size = int(sys.argv[7]), int(sys.argv[8])
age_s = float(sys.argv[10]) - float(sys.argv[9])
lib, lib1 = json.loads(sys.argv[11]), json.loads(sys.argv[12])
mb = count * size / 1e6
rows = [
    ("openssl AES-256-GCM (1 core)", f"{aes/1e6:.0f} MB/s"),
    ("openssl SHA-256 (1 core)", f"{sha/1e6:.0f} MB/s"),
    ("one-pass ceiling 1/(1/sha+1/aes)", f"{onepass/1e6:.0f} MB/s"),
    ("openssl AES-256-GCM -multi 2 / -multi 1", f"{aes2/aes:.2f}x"),
    ("openssl ECDH P-256", f"{ecdh} op/s"),
    ("openssl Ed25519 verify", f"{ed} op/s"),
    (f"SealedBid open {count} x {size} B, 2 workers", f"{lib['open_total_s']:.2f} s = {lib['open_MB_per_s']:.0f} MB/s"),
    (f"SealedBid open, 1 worker", f"{lib1['open_total_s']:.2f} s = {lib1['open_MB_per_s']:.0f} MB/s"),
    (f"age -d {count} x {size} B", f"{age_s:.2f} s = {mb/age_s:.0f} MB/s"),
    ("ratio SealedBid (2 workers) / age", f"{age_s/lib['open_total_s']:.2f}x"),
    ("ratio SealedBid 1 worker / one-pass ceiling", f"{lib1['open_MB_per_s']*1e6/onepass:.2f}"),
    ("speed-up 2 workers / 1 worker", f"{lib1['open_total_s']/lib['open_total_s']:.2f}x"),
]
width = max(len(r[0]) for r in rows)
for name, value in rows:
    print(f"{name:<{width}}  {value}")
PY
