#!/usr/bin/env python3
"""torch.onnx.export of wavemix_bench.py's network, for `wavemix-bench --engine onnxruntime --onnx FILE`
(issue 13): the graph PyTorch users get, timed on the same input as our @wavemix/onnx export.

  /usr/bin/python3 tools/bench/pytorch/export_onnx.py --workload W3 --out .bench/torch-w3.onnx

opset 17, input `input` / output `output`, dynamic batch, eval mode (torch folds BatchNorm into the
preceding Conv), random weights (speed does not depend on them).
"""
import argparse
import os

import torch

from wavemix_bench import WORKLOADS, WaveMix


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--workload', choices=['W2', 'W3'], required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--opset', type=int, default=17)
    args = parser.parse_args()
    torch.manual_seed(0)
    spec = WORKLOADS[args.workload]
    model = WaveMix(**spec['model']).eval()
    x = torch.randn(spec['batch'], *spec['shape'])
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(model, x, args.out, input_names=['input'], output_names=['output'], opset_version=args.opset,
                          dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}}, do_constant_folding=True)
    print(f'wrote {args.out} ({os.path.getsize(args.out):,} bytes), torch {torch.__version__}, opset {args.opset}')


if __name__ == '__main__':
    main()
