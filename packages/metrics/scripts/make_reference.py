#!/usr/bin/python3
"""Computes the reference values of the metrics tests with scikit-learn and scikit-image.

Run once by hand (Debian's python3-sklearn 1.2 and python3-skimage 0.19 were used) and commit
its output; CI does not run it:

    /usr/bin/python3 packages/metrics/scripts/make_reference.py > packages/metrics/src/testdata/reference.ts

The inputs come from the same generator as src/testdata/generate.ts (an LCG and exact float64
formulas), so both sides see identical numbers.
"""
import json
import warnings

import numpy as np
import sklearn
import skimage
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix,
                             jaccard_score, top_k_accuracy_score)
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


class Lcg:
    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next(self):
        self.state = (1664525 * self.state + 1013904223) & 0xFFFFFFFF
        return self.state

    def uniform(self):
        return (self.next() >> 8) / 16777216


def classification_case():
    n, c = 200, 7
    rng = Lcg(1)
    logits = np.array([rng.uniform() * 8 - 4 for _ in range(n * c)]).reshape(n, c)
    labels = np.array([rng.next() % c for _ in range(n)])
    pred = np.array([labels[i] if rng.uniform() < 0.6 else rng.next() % c for i in range(n)])
    return logits, labels, pred, c


def segmentation_case():
    rng = Lcg(2)
    size = 3 * 16 * 16
    target = np.zeros(size, dtype=np.int64)
    pred = np.zeros(size, dtype=np.int64)
    others = [0, 1, 2, 3]
    for i in range(size):
        t = rng.next() % 6
        if t == 4:
            t = 3
        if rng.uniform() < 0.1:
            t = 255
        target[i] = t
        # Same evaluation order as the TypeScript (short-circuit: uniform() is always drawn).
        keep = rng.uniform() < 0.7 and t != 255 and t != 5
        pred[i] = t if keep else others[rng.next() % 4]
    return pred, target, 6


def calibration_case():
    n, c = 300, 5
    rng = Lcg(3)
    logits = np.array([rng.uniform() * 6 - 3 for _ in range(n * c)]).reshape(n, c)
    labels = np.zeros(n, dtype=np.int64)
    for i in range(n):
        best = int(np.argmax(logits[i]))
        labels[i] = best if rng.uniform() < 0.55 else rng.next() % c
    return logits, labels, c


def image_pair(seed, h, w, c, noise):
    rng = Lcg(seed)
    a = np.zeros((h, w, c))
    for y in range(h):
        for x in range(w):
            for k in range(c):
                a[y, x, k] = (((x * x + 3 * y + 5 * k) % 37) / 37) * 0.7 + 0.3 * rng.uniform()
    flat = a.reshape(-1)
    b = np.array([min(1.0, max(0.0, v + noise * (rng.uniform() - 0.5))) for v in flat]).reshape(h, w, c)
    return a, b


def ece_reference(probs, labels, bins=15):
    # Independent vectorised implementation of the documented definition.
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    edges = np.arange(bins + 1) / bins
    ece = 0.0
    for b in range(bins):
        lo, hi = edges[b], edges[b + 1]
        in_bin = (conf > lo) & (conf <= hi) if b > 0 else (conf >= lo) & (conf <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs((pred[in_bin] == labels[in_bin]).mean() - conf[in_bin].mean())
    return ece


def ssim_ref(a, b, data_range, channel_axis=None):
    return structural_similarity(a, b, data_range=data_range, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False, channel_axis=channel_axis)


def main():
    out = {'versions': {'sklearn': sklearn.__version__, 'skimage': skimage.__version__}}

    logits, labels, pred, c = classification_case()
    srt = np.sort(logits, axis=1)
    assert (np.diff(srt, axis=1) > 0).all(), 'the classification case must have no ties'
    out['topK'] = {str(k): top_k_accuracy_score(labels, logits, k=k, labels=list(range(c))) for k in (1, 2, 3, 5)}
    out['classification'] = {
        'matrix': confusion_matrix(labels, pred, labels=list(range(c))).tolist(),
        'accuracy': accuracy_score(labels, pred),
        'balancedAccuracy': balanced_accuracy_score(labels, pred),
        'argmaxAccuracy': accuracy_score(labels, logits.argmax(axis=1)),
    }

    pred, target, c = segmentation_case()
    mask = target != 255
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        iou = jaccard_score(target[mask], pred[mask], labels=list(range(c)), average=None, zero_division=0)
    cm = confusion_matrix(target[mask], pred[mask], labels=list(range(c)))
    present = (cm.sum(axis=0) + cm.sum(axis=1)) > 0
    assert not present[4] and present[5]
    out['segmentation'] = {
        'matrix': cm.tolist(),
        'perClassIoU': [float(v) if present[i] else None for i, v in enumerate(iou)],
        'meanIoU': float(iou[present].mean()),
        'pixelAccuracy': accuracy_score(target[mask], pred[mask]),
        'counted': int(mask.sum()),
    }

    logits, labels, c = calibration_case()
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    out['ece'] = {'15': ece_reference(probs, labels, 15), '10': ece_reference(probs, labels, 10)}

    a, b = image_pair(4, 24, 20, 1, 0.2)
    a3, b3 = image_pair(5, 24, 20, 3, 0.1)
    a8 = np.round(a[..., 0] * 255)
    b8 = np.round(b[..., 0] * 255)
    out['gray'] = {'psnr': peak_signal_noise_ratio(a, b, data_range=1.0), 'ssim': ssim_ref(a[..., 0], b[..., 0], 1.0)}
    out['rgb'] = {'psnr': peak_signal_noise_ratio(a3, b3, data_range=1.0), 'ssim': ssim_ref(a3, b3, 1.0, channel_axis=2)}
    out['uint8'] = {'psnr': peak_signal_noise_ratio(a8, b8, data_range=255), 'ssim': ssim_ref(a8, b8, 255)}

    # SR convention: per image, Y = 16 + 65.481 R + 128.553 G + 24.966 B (RGB in [0, 1]), crop
    # `scale` pixels from each border, PSNR / SSIM with L = 255, mean over images.
    scale = 2
    psnrs, ssims = [], []
    for seed in (6, 7):
        sr, hr = image_pair(seed, 22, 26, 3, 0.15)
        y_sr = 16 + sr @ np.array([65.481, 128.553, 24.966])
        y_hr = 16 + hr @ np.array([65.481, 128.553, 24.966])
        y_sr = y_sr[scale:-scale, scale:-scale]
        y_hr = y_hr[scale:-scale, scale:-scale]
        psnrs.append(peak_signal_noise_ratio(y_hr, y_sr, data_range=255))
        ssims.append(ssim_ref(y_hr, y_sr, 255))
    out['sr'] = {'psnrPerImage': psnrs, 'ssimPerImage': ssims, 'psnr': float(np.mean(psnrs)), 'ssim': float(np.mean(ssims))}

    print('// Generated by scripts/make_reference.py (scikit-learn / scikit-image). Do not edit.')
    print('export const REFERENCE = ' + json.dumps(out, indent=2) + ';')


if __name__ == '__main__':
    main()
