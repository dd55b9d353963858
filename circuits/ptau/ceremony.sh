#!/usr/bin/env bash
# Makes the small powers-of-tau file committed beside this script (NOT FOR PRODUCTION).
#
# A real local ceremony: a fresh accumulator, two contributions with entropy from the
# operating system that is never written down, a beacon, then phase-2 preparation. Its
# output is small (2^POWER constraints at most) so that tests and the demo start fast.
# Production keys must come from a public multi-party ceremony: `canopy setup --ptau FILE`.
#
# usage: circuits/ptau/ceremony.sh POWER OUTDIR      (run from the project root)
set -euo pipefail
power=${1:?power}
out=${2:?outdir}
snarkjs="node node_modules/snarkjs/build/cli.cjs"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
entropy() { head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# The beacon value is public: SHA-256 of a statement naming this file. It is not an
# unpredictable public beacon (such as a future block hash); the contributions' discarded
# entropy is what makes the file sound, the beacon only closes the chain verifiably.
beacon=$(printf 'canopy powers of tau 2^%s, not for production' "$power" | sha256sum | cut -d' ' -f1)
{
  echo "# powers of tau 2^$power — transcript (not for production)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "snarkjs: $($snarkjs --version 2>&1 | head -1)"
  echo "beacon hash (sha256 of the statement above): $beacon, 2^10 iterations"
  set -x
  $snarkjs powersoftau new bn128 "$power" "$work/pot_0000.ptau"
  $snarkjs powersoftau contribute "$work/pot_0000.ptau" "$work/pot_0001.ptau" --name="canopy contribution 1" -e="$(entropy)"
  $snarkjs powersoftau contribute "$work/pot_0001.ptau" "$work/pot_0002.ptau" --name="canopy contribution 2" -e="$(entropy)"
  $snarkjs powersoftau beacon "$work/pot_0002.ptau" "$work/pot_beacon.ptau" "$beacon" 10 -n="canopy final beacon"
  $snarkjs powersoftau prepare phase2 "$work/pot_beacon.ptau" "$out/canopy_pot${power}_not_for_production.ptau"
  $snarkjs powersoftau verify "$out/canopy_pot${power}_not_for_production.ptau"
  set +x
  echo "sha256: $(sha256sum "$out/canopy_pot${power}_not_for_production.ptau" | cut -d' ' -f1)"
} 2>&1 | sed -E 's/-e=[0-9a-f]+/-e=<entropy discarded>/' | tee "$out/canopy_pot${power}_not_for_production.transcript.txt"
