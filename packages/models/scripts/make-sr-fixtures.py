"""Reference fixtures for WaveMixSR-V2, WaveMixSR at 3x/4x (bilinear / bicubic Upsample), PyTorch
PixelShuffle and Upsample, written with PyTorch (1.13, CPU, float32, eval mode, BatchNorm
statistics randomised), in the layout of fixtures/pytorch/README.md.

  /usr/bin/python3 packages/models/scripts/make-sr-fixtures.py          # writes the fixtures
  /usr/bin/python3 packages/models/scripts/make-sr-fixtures.py --check  # also rebuilds the
      official WaveMixSR fixture (wavemixsr_l1) from its weights with the modules below and checks
      its output, which validates the Haar transform and the WaveMixSR module written here

The modules follow the official files (WaveMixSRV2.py in pranavphoenix/WaveMixSR, and
wavemixsr/model.py, train_div2k.py) module by module, so state_dict keys are the official ones;
they are written out here because the official V2 file does not run as published (SR_Block
builds `Level1Waveblock`, which the file never imports, where the V2 block is meant; and it
stacks int(sr/2) stages, 4 for sr=8, where log2(sr) are meant). Needs torch only.
"""
import json
import math
import pathlib
import sys

import torch
import torch.nn as nn
from fixture_common import haar_level1, randomise_batch_norm, read_safetensors, write_safetensors

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = ROOT / 'fixtures/pytorch'


class WaveBlock1(nn.Module):
    """The level-1 wave block of the wavemix package (ConvTranspose feed-forward)."""

    def __init__(self, mult, ff_channel, final_dim, dropout):
        super().__init__()
        self.feedforward = nn.Sequential(
            nn.Conv2d(final_dim, final_dim * mult, 1), nn.GELU(), nn.Dropout(dropout),
            nn.Conv2d(final_dim * mult, ff_channel, 1),
            nn.ConvTranspose2d(ff_channel, final_dim, 4, stride=2, padding=1), nn.BatchNorm2d(final_dim))
        self.reduction = nn.Conv2d(final_dim, final_dim // 4, 1)

    def forward(self, x):
        return self.feedforward(haar_level1(self.reduction(x)))


class WaveBlockV2(nn.Module):
    """WaveMixSR-V2 block: the feed-forward ends in PixelShuffle(2) + 3x3 conv instead of a ConvTranspose."""

    def __init__(self, mult, final_dim, dropout):
        super().__init__()
        self.feedforward = nn.Sequential(
            nn.Conv2d(final_dim, final_dim * mult, 1), nn.GELU(), nn.Dropout(dropout),
            nn.Conv2d(final_dim * mult, 4 * final_dim, 1), nn.PixelShuffle(2),
            nn.Conv2d(final_dim, final_dim, 3, 1, 1), nn.BatchNorm2d(final_dim))
        self.reduction = nn.Conv2d(final_dim, final_dim // 4, 1)

    def forward(self, x):
        return self.feedforward(haar_level1(self.reduction(x)))


class SRStage(nn.Module):
    """One super-resolution stage on YCbCr: Y through convs and residual blocks, CbCr upsampled only."""

    def __init__(self, blocks, final_dim, scale, mode):
        super().__init__()
        self.layers = nn.ModuleList(blocks)
        self.final = nn.Sequential(nn.Conv2d(final_dim, final_dim // 2, 3, 1, 1), nn.Conv2d(final_dim // 2, 1, 1))
        self.path1 = nn.Sequential(
            nn.Upsample(scale_factor=scale, mode=mode, align_corners=False),
            nn.Conv2d(1, final_dim // 2, 3, 1, 1), nn.Conv2d(final_dim // 2, final_dim, 3, 1, 1))
        self.path2 = nn.Sequential(nn.Upsample(scale_factor=scale, mode=mode, align_corners=False))

    def forward(self, img):
        y = self.path1(img[:, 0:1])
        for block in self.layers:
            y = block(y) + y
        return torch.cat((self.final(y), self.path2(img[:, 1:3])), dim=1)


def wavemixsr(depth, mult, ff_channel, final_dim, dropout, scale=2, mode='bicubic'):
    blocks = [WaveBlock1(mult, ff_channel, final_dim, dropout) for _ in range(depth)]
    return SRStage(blocks, final_dim, scale, mode)


class WaveMixSRV2(nn.Module):
    def __init__(self, sr, blocks, mult, final_dim, dropout):
        super().__init__()
        stages = int(round(math.log2(sr)))
        self.SR_blocks = nn.ModuleList(
            SRStage([WaveBlockV2(mult, final_dim, dropout) for _ in range(blocks)], final_dim, 2, 'bicubic')
            for _ in range(stages))

    def forward(self, x):
        for stage in self.SR_blocks:
            x = stage(x)
        return x


# --- fixture writing --------------------------------------------------------------------------------
def write_model_fixture(name, model, kind, kwargs, input_shape, seed, js_config=None):
    generator = torch.Generator().manual_seed(seed)
    randomise_batch_norm(model, generator)
    model.eval()
    x = torch.rand(input_shape, generator=generator).requires_grad_(True)
    y = model(x)
    w = torch.randn(y.shape, generator=generator)
    (y * w).sum().backward()
    folder = OUT / name
    state = {k: v for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')}
    write_safetensors(folder / 'model.safetensors', state)
    write_safetensors(folder / 'io.safetensors', {'x': x, 'y': y, 'w': w, 'grad_x': x.grad})
    write_safetensors(folder / 'grads.safetensors', {k: p.grad for k, p in model.named_parameters()})
    config = {
        'model': kind, 'pytorch_kwargs': kwargs, 'input_shape_nchw': list(input_shape),
        'output_shape_pytorch': list(y.shape),
        'trainable_params': sum(p.numel() for p in model.parameters() if p.requires_grad),
        'mode': 'eval', 'loss_for_grads': 'sum(y * w)',
    }
    if js_config:
        config['wavemix_js_config'] = js_config
    (folder / 'config.json').write_text(json.dumps(config, indent=1) + '\n')
    print(f'{name}: {config["trainable_params"]} trainable, output {list(y.shape)}')


def write_op_cases(path, make_op, shapes, seed):
    generator = torch.Generator().manual_seed(seed)
    tensors = {}
    for i, shape in enumerate(shapes):
        x = torch.randn(shape, generator=generator).requires_grad_(True)
        y = make_op(i)(x)
        w = torch.randn(y.shape, generator=generator)
        (y * w).sum().backward()
        tensors.update({f'case{i}.x': x, f'case{i}.y': y, f'case{i}.w': w, f'case{i}.grad_x': x.grad})
    write_safetensors(path, tensors)
    print(f'{path.relative_to(ROOT)}: {len(shapes)} cases')


def check_official_wavemixsr():
    folder = OUT / 'wavemixsr_l1'
    config = json.loads((folder / 'config.json').read_text())
    model = wavemixsr(**config['pytorch_kwargs'])
    model.load_state_dict(read_safetensors(folder / 'model.safetensors'), strict=True)
    model.eval()
    io = read_safetensors(folder / 'io.safetensors')
    error = (model(io['x']) - io['y']).abs().max().item() / io['y'].abs().max().item()
    print(f'wavemixsr_l1 rebuilt from its official weights: relative error {error:.2e}')
    assert error < 1e-5, error


def main():
    torch.manual_seed(0)
    if '--check' in sys.argv:
        check_official_wavemixsr()
    # Published V2 sizes: parameter counts only (PyTorch counts 780,985 at 2x and 1,561,970 at 4x).
    for sr in (2, 4):
        full = WaveMixSRV2(sr=sr, blocks=2, mult=1, final_dim=144, dropout=0.3)
        print(f'WaveMixSR-V2 144/2 x{sr}: {sum(p.numel() for p in full.parameters())} trainable')

    torch.manual_seed(1)
    kwargs = {'sr': 4, 'blocks': 2, 'mult': 1, 'final_dim': 16, 'dropout': 0.0}
    write_model_fixture('wavemixsr_v2_x4', WaveMixSRV2(**kwargs), 'wavemix-sr-v2', kwargs, (1, 3, 6, 10), seed=11)
    torch.manual_seed(2)
    kwargs = {'sr': 2, 'blocks': 1, 'mult': 2, 'final_dim': 12, 'dropout': 0.0}
    write_model_fixture('wavemixsr_v2_x2_m2', WaveMixSRV2(**kwargs), 'wavemix-sr-v2', kwargs, (2, 3, 5, 7), seed=12)
    torch.manual_seed(3)
    kwargs = {'depth': 2, 'mult': 1, 'ff_channel': 16, 'final_dim': 16, 'dropout': 0.0}
    write_model_fixture('wavemixsr_x3_bilinear', wavemixsr(**kwargs, scale=3, mode='bilinear'), 'wavemix-sr', kwargs,
                        (1, 3, 6, 8), seed=13, js_config={'scale': 3, 'interpolation': 'bilinear'})
    torch.manual_seed(4)
    write_model_fixture('wavemixsr_x4_bicubic', wavemixsr(**kwargs, scale=4, mode='bicubic'), 'wavemix-sr', kwargs,
                        (1, 3, 5, 6), seed=14, js_config={'scale': 4, 'interpolation': 'bicubic'})

    # Upsample: case i uses SCALES_MODES[i]; odd, even and 1-pixel sizes.
    scales_modes = [(2, 'bilinear'), (3, 'bilinear'), (4, 'bilinear'), (3, 'bicubic'), (4, 'bicubic'), (2, 'bicubic'),
                    (3, 'bicubic'), (4, 'bilinear')]
    shapes = [(1, 2, 5, 7), (2, 1, 4, 3), (1, 3, 3, 5), (1, 2, 5, 7), (2, 1, 4, 3), (1, 2, 6, 5), (1, 1, 1, 2), (1, 1, 2, 1)]
    write_op_cases(OUT / 'upsample/cases.safetensors',
                   lambda i: nn.Upsample(scale_factor=scales_modes[i][0], mode=scales_modes[i][1], align_corners=False),
                   shapes, seed=21)
    (OUT / 'upsample/cases.json').write_text(json.dumps(
        [{'case': i, 'scale': s, 'mode': m} for i, (s, m) in enumerate(scales_modes)], indent=1) + '\n')
    # PixelShuffle(2) and PixelShuffle(3): NCHW inputs with r*r*C channels.
    write_op_cases(OUT / 'pixel_shuffle/cases.safetensors', lambda i: nn.PixelShuffle([2, 3, 2][i]),
                   [(1, 8, 3, 4), (2, 18, 2, 3), (1, 4, 1, 1)], seed=22)


if __name__ == '__main__':
    main()
