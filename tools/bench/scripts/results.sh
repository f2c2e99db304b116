#!/usr/bin/env bash
# Reruns the rows of docs/results.md: each preset trains from scratch with the seed it ships, then
# one JSON line per run (preset, test accuracy, epochs, seconds, parameters, seed, load average
# before and after) goes to stdout and to .bench/results.jsonl. It measures wall time, so run it on
# a quiet machine. Needs the trainer built (npx turbo run build --filter=@wavemix/trainer...);
# Fashion-MNIST comes from Debian's dataset-fashion-mnist (or pass DATA_DIR).
#
#   tools/bench/scripts/results.sh                          # the two 20-minute rows (about 40 minutes idle)
#   tools/bench/scripts/results.sh mnist-lite-3566          # one row
#   tools/bench/scripts/results.sh fashion-mnist-paper mnist-paper   # the paper rows: days on 2 cores
#   EXTRA="--epochs 3" tools/bench/scripts/results.sh ...   # shortened trial (not a table row)
set -uo pipefail
cd "$(dirname "$0")/../../.."
out=.bench/results.jsonl
mkdir -p .bench runs/results
presets=("${@:-fashion-mnist mnist-lite-3566}")
load() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/'; }
for preset in ${presets[@]}; do
  dir=runs/results/$preset
  rm -rf "$dir"
  before=$(load)
  data=()
  if [ -n "${DATA_DIR:-}" ] && [ "$preset" != "${preset#fashion}" ]; then data=(--data-dir "$DATA_DIR"); fi
  # shellcheck disable=SC2086
  node apps/trainer/bin/wavemix-train.mjs --preset "$preset" --output "$dir" "${data[@]}" ${EXTRA:-} > "$dir.log" 2>&1
  rc=$?
  after=$(load)
  if [ -f "$dir/final.json" ]; then
    line=$(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const [preset, before, after, extra] = process.argv.slice(2);
      console.log(JSON.stringify({ preset, testAccuracy: r.testAccuracy, epochs: r.epochs, seconds: r.seconds,
        trainableParams: r.trainableParams, seed: r.seed, backend: r.backend, workers: r.workers, bestEpoch: r.bestEpoch,
        loadBefore: before, loadAfter: after, extra }));
    ' "$dir/final.json" "$preset" "$before" "$after" "${EXTRA:-}")
  else
    line="{\"preset\":\"$preset\",\"error\":\"exit $rc, no final.json; see $dir.log\"}"
  fi
  echo "$line" | tee -a "$out"
done
