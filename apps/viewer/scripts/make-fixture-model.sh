#!/usr/bin/env bash
# Trains the tiny MNIST classifier the browser tests and the "bundled model" button use, with the
# project's trainer (build it first: npm run build -w @wavemix/trainer), and copies the run, as the
# trainer wrote it, into tests/fixtures/mnist-tiny (metrics.jsonl, report.json, model-config.json,
# model.safetensors, model/model.json + weights.bin) and public/models/mnist-tiny (the tfjs model).
# Run once; the outputs are committed. About a minute on the wasm backend.
#
# The model (scripts/mnist-tiny-model.json, 11.6 k parameters: pachify stem with 2x2 patches,
# two level-1 wave blocks of 16 channels) takes MNIST's 28x28 as it is. Both exports carry the
# normalisation the run trained with (`preprocessing`) and the class names.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
app="$(dirname "$here")"
repo="$(cd "$app/../.." && pwd)"
run="${1:-/tmp/wavemix-viewer-mnist-tiny}"
rm -rf "$run"
cd "$repo"
node apps/trainer/dist/cli.js \
  --backend wasm --workers 0 --dataset mnist --model "$here/mnist-tiny-model.json" \
  --epochs 3 --batch-size 32 --lr 0.01 --weight-decay 0.01 --opt adamw --sched onecycle \
  --val-fraction 0.05 --limit-train 6000 --limit-test 1000 --log-every 5 --seed 7 \
  --output "$run"
fixture="$app/tests/fixtures/mnist-tiny"
rm -rf "$fixture" "$app/public/models/mnist-tiny"
mkdir -p "$fixture/model" "$app/public/models/mnist-tiny"
cp "$run/metrics.jsonl" "$run/report.json" "$run/model-config.json" "$run/model.safetensors" "$run/final.json" "$fixture/"
cp "$run/model/"* "$fixture/model/"
cp "$run/model/"* "$app/public/models/mnist-tiny/"
echo "fixture written to $fixture (test accuracy in final.json)"
