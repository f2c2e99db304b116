#!/usr/bin/env bash
# The workloads of issues 8 and 16, side by side in one run: our wasm kernels (default threads;
# one thread with the relaxed-SIMD kernels and with the plain-SIMD fallback), PyTorch at 2 and 1
# threads, and, for the inference workloads, onnxruntime-node on torch.onnx.export's graph of
# tools/bench/pytorch/wavemix_bench.py's network (and on our @wavemix/onnx export), then
# optionally tfjs-wasm as shipped and the cpu backend. Each JSON line carries the 1-minute load
# average at its start ("loadBefore"). One JSON line per run on stdout (also appended to
# .bench/workloads.jsonl). Takes ~20 minutes; it measures wall time, so run it on a quiet machine.
# Needs `npm run build` first.
#
#   tools/bench/scripts/workloads.sh [W1 W2 W3 W5]
#   ONLY_FAST=1 tools/bench/scripts/workloads.sh    # skip tfjs-wasm as shipped and the cpu backend
#   STEPS=3 tools/bench/scripts/workloads.sh W2     # fewer timed steps (default 10)
set -uo pipefail
cd "$(dirname "$0")/../../.."
out=.bench/workloads.jsonl
mkdir -p .bench
bench="node tools/bench/dist/wavemix-bench.js"
python=/usr/bin/python3
steps=${STEPS:-10}
workloads=("${@:-W1 W2 W3 W5}")
run() {
  local label=$1; shift
  local line load
  load=$(cut -d' ' -f1 /proc/loadavg)
  line=$("$@" --json 2>/dev/null | tail -1)
  if [ -n "$line" ] && [ "${line:0:1}" = "{" ]; then
    line="{\"run\":\"$label\",\"loadBefore\":$load,${line#\{}"
  else
    line="{\"run\":\"$label\",\"loadBefore\":$load,\"error\":\"no output: $*\"}"
  fi
  echo "$line" | tee -a "$out"
}
for w in ${workloads[@]}; do
  case $w in
    W1) cpu_batch=4; mode=train ;; W2) cpu_batch=8; mode=infer ;; W3) cpu_batch=1; mode=infer ;; W5) cpu_batch=16; mode=train ;;
  esac
  if [ "$mode" = infer ]; then
    # tfjs (ours, default threads), then onnxruntime-node on our export and on PyTorch's
    onnx=.bench/torch-$w.onnx
    [ -f "$onnx" ] || $python tools/bench/pytorch/export_onnx.py --workload "$w" --out "$onnx" >&2
    run "$w ours, default threads + onnxruntime-node" $bench --workload "$w" --steps "$steps" --engine onnxruntime --onnx "$onnx"
  else
    run "$w ours, default threads" $bench --workload "$w" --steps "$steps"
  fi
  run "$w ours, 1 thread" $bench --workload "$w" --workers 0 --kernel-threads 1 --steps "$steps"
  run "$w ours, 1 thread, plain SIMD" env WAVEMIX_WASM_SIMD=simd $bench --workload "$w" --workers 0 --kernel-threads 1 --steps "$steps"
  for t in 2 1; do
    run "$w PyTorch, $t threads" $python tools/bench/pytorch/wavemix_bench.py --workload "$w" --threads "$t" --steps "$steps"
  done
  if [ -z "${ONLY_FAST:-}" ]; then
    run "$w wasm as shipped" $bench --workload "$w" --stock-wasm --workers 0 --kernel-threads 1 --steps 3 --warmup 1
    run "$w cpu backend, batch $cpu_batch (extrapolate)" $bench --workload "$w" --backend cpu --batch-size "$cpu_batch" --steps 1 --warmup 0 --no-peak
  fi
done
