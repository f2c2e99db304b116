"""Reference fixtures for the upsampling WaveMix-Lite (the README's 3,566-parameter MNIST network):
the official level-1 classification WaveMix with each feed-forward unit's
ConvTranspose2d(ff_channel, final_dim, 4, 2, 1) replaced by nn.Upsample(scale_factor=2, mode)
(bilinear with align_corners=False). PyTorch 1.13, CPU, float32, eval mode, BatchNorm statistics
randomised; layout of fixtures/pytorch/README.md, one sub-folder per mode.

  /usr/bin/python3 packages/models/scripts/make-upsample-lite-fixtures.py          # writes the fixtures
  /usr/bin/python3 packages/models/scripts/make-upsample-lite-fixtures.py --check  # first rebuilds the
      official fixture wavemix_lite_l1_strided_s1 from its weights with the module below (upsample
      'convtranspose') and checks its output, which validates the module and the Haar transform

The module follows wavemix/classification.py (WaveMix, Level1Waveblock) module by module, so the
state_dict keys are the official ones; nn.Upsample has no parameters, so `feedforward.4` keys vanish.
Needs torch only.
"""
import json
import pathlib
import sys

import torch
import torch.nn as nn
from fixture_common import haar_level1, randomise_batch_norm, read_safetensors, write_safetensors

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = ROOT / 'fixtures/pytorch/wavemix_lite_upsample'


def upsampler(upsample, ff_channel, final_dim):
    if upsample == 'convtranspose':
        return nn.ConvTranspose2d(ff_channel, final_dim, 4, stride=2, padding=1)
    assert ff_channel == final_dim, 'nn.Upsample keeps the width: ff_channel must equal final_dim'
    return nn.Upsample(scale_factor=2, mode=upsample, **({'align_corners': False} if upsample == 'bilinear' else {}))


class Level1Waveblock(nn.Module):
    def __init__(self, mult, ff_channel, final_dim, dropout, upsample):
        super().__init__()
        self.feedforward = nn.Sequential(
            nn.Conv2d(final_dim, final_dim * mult, 1), nn.GELU(), nn.Dropout(dropout),
            nn.Conv2d(final_dim * mult, ff_channel, 1), upsampler(upsample, ff_channel, final_dim),
            nn.BatchNorm2d(final_dim))
        self.reduction = nn.Conv2d(final_dim, final_dim // 4, 1)

    def forward(self, x):
        return self.feedforward(haar_level1(self.reduction(x)))


class WaveMixLite(nn.Module):
    """wavemix.classification.WaveMix at level 1, with `in_channels` (the official file fixes 3)."""

    def __init__(self, num_classes, depth, mult, ff_channel, final_dim, dropout, level=1, initial_conv='strided',
                 patch_size=4, stride=1, in_channels=3, upsample='convtranspose'):
        super().__init__()
        assert level == 1
        self.layers = nn.ModuleList(Level1Waveblock(mult, ff_channel, final_dim, dropout, upsample) for _ in range(depth))
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(final_dim, num_classes))
        if initial_conv == 'strided':
            self.conv = nn.Sequential(nn.Conv2d(in_channels, final_dim // 2, 3, stride, 1),
                                      nn.Conv2d(final_dim // 2, final_dim, 3, stride, 1))
        else:
            self.conv = nn.Sequential(
                nn.Conv2d(in_channels, final_dim // 4, 3, 1, 1), nn.Conv2d(final_dim // 4, final_dim // 2, 3, 1, 1),
                nn.Conv2d(final_dim // 2, final_dim, patch_size, patch_size), nn.GELU(), nn.BatchNorm2d(final_dim))

    def forward(self, img):
        x = self.conv(img)
        for block in self.layers:
            x = block(x) + x
        return self.pool(x)


def write_model_fixture(name, kwargs, input_shape, seed):
    torch.manual_seed(seed)
    model = WaveMixLite(**kwargs, in_channels=input_shape[1])
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
        'model': 'classification', 'pytorch_kwargs': kwargs, 'input_shape_nchw': list(input_shape),
        'output_shape_pytorch': list(y.shape),
        'trainable_params': sum(p.numel() for p in model.parameters() if p.requires_grad),
        'mode': 'eval', 'loss_for_grads': 'sum(y * w)',
    }
    (folder / 'config.json').write_text(json.dumps(config, indent=1) + '\n')
    print(f'{name}: {config["trainable_params"]} trainable, output {list(y.shape)}')


def check_official_lite():
    folder = ROOT / 'fixtures/pytorch/wavemix_lite_l1_strided_s1'
    config = json.loads((folder / 'config.json').read_text())
    model = WaveMixLite(**config['pytorch_kwargs'], in_channels=config['input_shape_nchw'][1])
    model.load_state_dict(read_safetensors(folder / 'model.safetensors'), strict=True)
    model.eval()
    io = read_safetensors(folder / 'io.safetensors')
    error = (model(io['x']) - io['y']).abs().max().item() / io['y'].abs().max().item()
    print(f'wavemix_lite_l1_strided_s1 rebuilt from its official weights: relative error {error:.2e}')
    assert error < 1e-5, error


def parameter_counts():
    """The README's MNIST / Fashion-MNIST Lite networks (1 input channel, 10 classes)."""
    lite = {'num_classes': 10, 'mult': 2, 'dropout': 0.0, 'initial_conv': 'strided', 'stride': 1, 'in_channels': 1}
    for depth, upsample in ((10, 'nearest'), (10, 'convtranspose'), (5, 'convtranspose')):
        model = WaveMixLite(**lite, depth=depth, ff_channel=8, final_dim=8, upsample=upsample)
        print(f'Lite-8/{depth} {upsample}: {sum(p.numel() for p in model.parameters())} trainable')


def main():
    if '--check' in sys.argv:
        check_official_lite()
    parameter_counts()
    base = {'num_classes': 10, 'mult': 2, 'dropout': 0.0, 'level': 1}
    write_model_fixture('nearest', {**base, 'depth': 2, 'ff_channel': 8, 'final_dim': 8, 'initial_conv': 'strided',
                                    'stride': 1, 'upsample': 'nearest'}, (2, 1, 12, 10), seed=31)
    write_model_fixture('bilinear', {**base, 'num_classes': 7, 'depth': 3, 'ff_channel': 12, 'final_dim': 12,
                                     'initial_conv': 'pachify', 'patch_size': 2, 'upsample': 'bilinear'},
                        (2, 3, 12, 16), seed=32)


if __name__ == '__main__':
    main()
