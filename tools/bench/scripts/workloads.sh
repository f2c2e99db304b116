#!/usr/bin/env bash
# The four workloads of issue 8, side by side: our wasm kernels (2 threads and 1), tfjs-wasm as
# shipped, the cpu backend (few images, extrapolated), and the PyTorch anchor (2 threads and 1).
# One JSON line per run on stdout (also appended to .bench/workloads.jsonl). Takes ~15 minutes;
# run it on a quiet machine, it measures wall time. Needs `npm run build` first.
#
#   tools/bench/scripts/workloads.sh [W1 W2 W3 W5]
#   ONLY_FAST=1 tools/bench/scripts/workloads.sh    # ours and PyTorch only (skip cpu and stock wasm)
set -uo pipefail
cd "$(dirname "$0")/../../.."
out=.bench/workloads.jsonl
mkdir -p .bench
bench="node tools/bench/dist/wavemix-bench.js"
python=/usr/bin/python3
workloads=("${@:-W1 W2 W3 W5}")
run() {
  local label=$1; shift
  local line
  line=$("$@" --json 2>/dev/null | tail -1)
  if [ -n "$line" ]; then
    line="{\"run\":\"$label\",${line#\{}"
  else
    line="{\"run\":\"$label\",\"error\":\"no output: $*\"}"
  fi
  echo "$line" | tee -a "$out"
}
for w in ${workloads[@]}; do
  case $w in
    W1) cpu_batch=4 ;; W2) cpu_batch=8 ;; W3) cpu_batch=1 ;; W5) cpu_batch=16 ;;
  esac
  run "$w ours, default threads" $bench --workload "$w" --steps 10
  run "$w ours, 1 thread" $bench --workload "$w" --workers 0 --kernel-threads 1 --steps 10
  if [ -z "${ONLY_FAST:-}" ]; then
    run "$w wasm as shipped" $bench --workload "$w" --stock-wasm --workers 0 --kernel-threads 1 --steps 3 --warmup 1
    run "$w cpu backend, batch $cpu_batch (extrapolate)" $bench --workload "$w" --backend cpu --batch-size "$cpu_batch" --steps 1 --warmup 0 --no-peak
  fi
  for t in 2 1; do
    run "$w PyTorch, $t threads" $python tools/bench/pytorch/wavemix_bench.py --workload "$w" --threads "$t" --steps 10
  done
done
