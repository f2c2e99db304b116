#!/usr/bin/env python3
"""PyTorch anchor for wavemix-bench (issue 8). Not run by CI.

The WaveMix classification network written the way the official `wavemix` 0.2.4 package writes it
(Waveblock / Level{2,3,4}Waveblock, DWTForward(J, mode='zero', wave='db1') recomputed per level,
`x = attn(x) + x`), timed like timm's benchmark.py: warm-up steps, then the median of timed steps.
pytorch_wavelets and einops are not installed here, so the Haar DWT is re-implemented the way
pytorch_wavelets' afb2d computes it (two grouped stride-2 convolutions, rows then columns).

  /usr/bin/python3 tools/bench/pytorch/wavemix_bench.py --workload W1 [--threads 2] [--steps 10] [--json]

Workloads (issue 8): W1 train Lite-64/6 3x32x32 b64, W2 infer same b64, W3 infer WaveMix-192/16
L3 P4 224x224 b1, W5 train Lite-16/4 1x28x28 b128.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class HaarDWT(nn.Module):
    """DWTForward(J, wave='db1', mode='zero'): returns (Yl, [Yh_1, ..., Yh_J]), Yh_j (N, C, 3, H, W)."""

    def __init__(self, J=1):
        super().__init__()
        self.J = J
        s = 2 ** -0.5
        # pytorch_wavelets stores the reversed analysis filters (db1: h0 = [s, s], h1 = [-s, s] reversed).
        self.register_buffer('h0', torch.tensor([s, s]))
        self.register_buffer('h1', torch.tensor([s, -s]))

    def _afb1d(self, x, dim):
        c = x.shape[1]
        shape = [1, 1, 2, 1] if dim == 2 else [1, 1, 1, 2]
        h = torch.cat([self.h0.reshape(shape), self.h1.reshape(shape)] * c, dim=0)
        stride = (2, 1) if dim == 2 else (1, 2)
        y = F.conv2d(x, h, stride=stride, groups=c)
        return y

    def forward(self, x):
        yh = []
        ll = x
        for _ in range(self.J):
            n, c, hgt, wid = ll.shape
            lohi = self._afb1d(ll, 3)  # along W: (N, 2C, H, W/2)
            y = self._afb1d(lohi, 2)  # along H: (N, 4C, H/2, W/2)
            y = y.reshape(n, c, 4, hgt // 2, wid // 2)
            ll = y[:, :, 0].contiguous()
            yh.append(y[:, :, 1:].contiguous())
        return ll, yh


def feedforward(cin, cout, final_dim, mult, ff_channel, dropout):
    return nn.Sequential(
        nn.Conv2d(cin, final_dim * mult, 1),
        nn.GELU(),
        nn.Dropout(dropout),
        nn.Conv2d(final_dim * mult, ff_channel, 1),
        nn.ConvTranspose2d(ff_channel, cout, 4, stride=2, padding=1),
        nn.BatchNorm2d(cout),
    )


class Waveblock(nn.Module):
    def __init__(self, *, mult=2, ff_channel=16, final_dim=16, dropout=0.5, level=1):
        super().__init__()
        c, h = final_dim, final_dim // 2
        self.level = level
        self.xf = nn.ModuleList([HaarDWT(J=j) for j in range(1, level + 1)])
        self.reduction = nn.Conv2d(c, c // 4, 1)
        if level == 1:
            self.feedforward = feedforward(c, c, c, mult, ff_channel, dropout)
        else:
            self.ffs = nn.ModuleDict()
            self.ffs[str(level)] = feedforward(c, h, c, mult, ff_channel, dropout)
            for k in range(level - 1, 1, -1):
                self.ffs[str(k)] = feedforward(c + h, h, c, mult, ff_channel, dropout)
            self.ffs['1'] = feedforward(c + h, c, c, mult, ff_channel, dropout)

    def forward(self, x):
        b, c, h, w = x.shape
        x = self.reduction(x)
        bands = []
        for j in range(1, self.level + 1):
            # The official blocks recompute DWTForward(J=j) from scratch for every level j.
            yl, yh = self.xf[j - 1](x)
            s = 2 ** j
            bands.append(torch.cat((yl, torch.reshape(yh[j - 1], (b, int(c * 3 / 4), h // s, w // s))), dim=1))
        if self.level == 1:
            return self.feedforward(bands[0])
        y = self.ffs[str(self.level)](bands[self.level - 1])
        for k in range(self.level - 1, 0, -1):
            y = self.ffs[str(k)](torch.cat((bands[k - 1], y), dim=1))
        return y


class WaveMix(nn.Module):
    def __init__(self, *, num_classes=1000, depth=16, mult=2, ff_channel=192, final_dim=192, dropout=0.5,
                 level=3, initial_conv='pachify', patch_size=4, stride=2, in_channels=3):
        super().__init__()
        self.layers = nn.ModuleList([
            Waveblock(mult=mult, ff_channel=ff_channel, final_dim=final_dim, dropout=dropout, level=level)
            for _ in range(depth)
        ])
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(final_dim, num_classes))
        if initial_conv == 'strided':
            self.conv = nn.Sequential(
                nn.Conv2d(in_channels, final_dim // 2, 3, stride, 1),
                nn.Conv2d(final_dim // 2, final_dim, 3, stride, 1),
            )
        else:
            self.conv = nn.Sequential(
                nn.Conv2d(in_channels, final_dim // 4, 3, 1, 1),
                nn.Conv2d(final_dim // 4, final_dim // 2, 3, 1, 1),
                nn.Conv2d(final_dim // 2, final_dim, patch_size, patch_size),
                nn.GELU(),
                nn.BatchNorm2d(final_dim),
            )

    def forward(self, img):
        x = self.conv(img)
        for attn in self.layers:
            x = attn(x) + x
        return self.pool(x)


WORKLOADS = {
    'W1': dict(mode='train', batch=64, shape=(3, 32, 32), model=dict(num_classes=10, depth=6, mult=2, ff_channel=64,
              final_dim=64, dropout=0.5, level=1, initial_conv='strided', stride=1)),
    'W2': dict(mode='infer', batch=64, shape=(3, 32, 32), model=dict(num_classes=10, depth=6, mult=2, ff_channel=64,
              final_dim=64, dropout=0.5, level=1, initial_conv='strided', stride=1)),
    'W3': dict(mode='infer', batch=1, shape=(3, 224, 224), model=dict(num_classes=1000, depth=16, mult=2, ff_channel=192,
              final_dim=192, dropout=0.5, level=3, initial_conv='pachify', patch_size=4)),
    'W5': dict(mode='train', batch=128, shape=(1, 28, 28), model=dict(num_classes=10, depth=4, mult=2, ff_channel=16,
              final_dim=16, dropout=0.5, level=1, initial_conv='strided', stride=1, in_channels=1)),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--workload', choices=sorted(WORKLOADS), required=True)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    spec = WORKLOADS[args.workload]
    batch = args.batch_size or spec['batch']
    model = WaveMix(**spec['model'])
    x = torch.randn(batch, *spec['shape'])
    y = torch.randint(0, spec['model']['num_classes'], (batch,))
    if spec['mode'] == 'train':
        model.train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            return loss.item()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                return model(x).sum().item()

    for _ in range(args.warmup):
        step()
    samples = []
    cpu_samples = []  # process CPU time (all threads): comparable on a busy machine
    for _ in range(args.steps):
        start = time.perf_counter()
        cpu_start = time.process_time()
        step()
        cpu_samples.append(time.process_time() - cpu_start)
        samples.append(time.perf_counter() - start)
    ms = statistics.median(samples) * 1e3
    result = dict(workload=args.workload, mode=spec['mode'], batchSize=batch, threads=torch.get_num_threads(),
                  msPerStep=round(ms, 2), imagesPerSecond=round(batch / ms * 1e3, 2),
                  cpuMsPerStep=round(statistics.median(cpu_samples) * 1e3, 2), torch=torch.__version__,
                  params=sum(p.numel() for p in model.parameters()))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.workload} {spec['mode']} batch {batch}: {ms:.1f} ms/step, {batch / ms * 1e3:.1f} images/s "
              f"({torch.get_num_threads()} threads, torch {torch.__version__}, {result['params']:,} parameters)")


if __name__ == '__main__':
    main()
