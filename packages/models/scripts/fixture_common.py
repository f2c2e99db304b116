"""Shared by the fixture generators in this folder: safetensors I/O, one Haar level in WaveMix's
channel layout, and the BatchNorm randomisation that makes running statistics matter."""
import json
import struct

import torch
import torch.nn as nn


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    raw = path.read_bytes()
    (length,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + length])
    out = {}
    for name, meta in header.items():
        if name == '__metadata__':
            continue
        start, end = meta['data_offsets']
        dtype = {'F32': torch.float32, 'I64': torch.int64}[meta['dtype']]
        buf = bytearray(raw[8 + length + start:8 + length + end])
        out[name] = torch.frombuffer(buf, dtype=dtype).reshape(meta['shape']).clone() if buf else torch.zeros(meta['shape'], dtype=dtype)
    return out


def haar_level1(x):
    """[LL_0..LL_{k-1}, LH_0, HL_0, HH_0, LH_1, ...] at half size (even H and W)."""
    a, b = x[:, :, 0::2, 0::2], x[:, :, 0::2, 1::2]
    c, d = x[:, :, 1::2, 0::2], x[:, :, 1::2, 1::2]
    ll = (a + b + c + d) / 2
    lh = (a + b - c - d) / 2
    hl = (a - b + c - d) / 2
    hh = (a - b - c + d) / 2
    n, k, h, w = ll.shape
    highs = torch.stack((lh, hl, hh), dim=2).reshape(n, 3 * k, h, w)
    return torch.cat((ll, highs), dim=1)


def randomise_batch_norm(model, generator):
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            n = module.num_features
            module.running_mean.copy_(torch.randn(n, generator=generator) * 0.5)
            module.running_var.copy_(torch.rand(n, generator=generator) * 1.5 + 0.25)
            with torch.no_grad():
                module.weight.copy_(1 + 0.3 * torch.randn(n, generator=generator))
                module.bias.copy_(0.3 * torch.randn(n, generator=generator))
