#!/usr/bin/env python3
"""Times the official V-JEPA 2 encoder (facebookresearch/vjepa2) on one clip, for comparison with bench/vjepa2-encoder.ts.

ViT-L/16 with RoPE as the torch hub builds it (`vit_large`, use_rope=True, img_size 256, tubelet 2,
uniform_power False), 16 x 256 x 256 frames (2,048 tokens), batch 1, random weights (the constructor's
init), fp32, CPU, `torch.no_grad()`, `eval()`. Runs under Debian's torch 1.13 with shims that are part of
this script: `F.scaled_dot_product_attention` (torch >= 2.0) as the plain formula softmax(q k^T / sqrt(d)) v
(the official Attention calls it with use_sdpa=True, the hub's setting), and stand-ins for
`timm.models.layers.drop_path` and `einops.rearrange` (imported by the official modules, unused at inference).
Prints one JSON line {"impl":"pytorch-official-vjepa2","model","tokens","threads","median_ms","min_ms","runs","peak_rss_mb"}.

    git clone /work/.mirror/facebookresearch+vjepa2/repo /tmp/vjepa2
    /usr/bin/python3 bench/vjepa2_encoder.py --vjepa2 /tmp/vjepa2 --threads 1
    /usr/bin/python3 bench/vjepa2_encoder.py --vjepa2 /tmp/vjepa2 --tiny     # a smoke run, not a measurement
"""

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time
import types


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--vjepa2', required=True, help='root of a checkout of facebookresearch/vjepa2 (holds src/models)')
    p.add_argument('--model', default='vit_large', help='official size factory (default vit_large)')
    p.add_argument('--frames', type=int, default=16, help='frames per clip (default 16)')
    p.add_argument('--resolution', type=int, default=256, help='frame side (default 256)')
    p.add_argument('--runs', type=int, default=5, help='timed forward passes (default 5), after --warmup untimed ones')
    p.add_argument('--warmup', type=int, default=1, help='untimed passes first (default 1)')
    p.add_argument('--threads', type=int, default=1, help='torch threads, OMP/OpenBLAS threads (default 1)')
    p.add_argument('--attention', choices=['sdpa-shim', 'math'], default='sdpa-shim',
                   help="sdpa-shim: use_sdpa=True through this script's plain-formula scaled_dot_product_attention (default); "
                        'math: the official use_sdpa=False branch')
    p.add_argument('--tiny', action='store_true', help='a 2-block, 64-wide encoder at 32 px, 4 frames (smoke run)')
    args = p.parse_args()
    if not os.path.isfile(os.path.join(args.vjepa2, 'src/models/vision_transformer.py')):
        p.error(f'--vjepa2: expected a facebookresearch/vjepa2 checkout holding src/models/vision_transformer.py, received {args.vjepa2}')
    for name in ('frames', 'resolution', 'runs', 'threads'):
        if getattr(args, name) < 1:
            p.error(f'--{name}: expected a positive integer, received {getattr(args, name)}')
    return args


args = parse_args()
for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = str(args.threads)
sys.path.insert(0, os.path.abspath(args.vjepa2))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def plain_sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """torch 2's scaled_dot_product_attention by its formula (bool mask: True = attend), no dropout."""
    if dropout_p != 0.0 or is_causal:
        raise NotImplementedError('the shim has no dropout and no causal mask (not used at inference)')
    scores = q @ k.transpose(-2, -1) * (scale if scale is not None else 1.0 / math.sqrt(q.shape[-1]))
    if attn_mask is not None:
        scores = scores.masked_fill(~attn_mask, float('-inf')) if attn_mask.dtype == torch.bool else scores + attn_mask
    return scores.softmax(dim=-1) @ v


if not hasattr(F, 'scaled_dot_product_attention'):
    F.scaled_dot_product_attention = plain_sdpa


def stub_module(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


def drop_path(x, drop_prob=0.0, training=False):
    if drop_prob and training:
        raise NotImplementedError('drop_path stand-in: inference only')
    return x


def rearrange(*_args, **_kwargs):
    raise NotImplementedError('einops.rearrange stand-in: unused by the encoder at inference')


try:
    import timm.models.layers  # noqa: F401
except ImportError:
    stub_module('timm')
    stub_module('timm.models')
    stub_module('timm.models.layers', drop_path=drop_path)
try:
    import einops  # noqa: F401
except ImportError:
    stub_module('einops', rearrange=rearrange)

import src.models.vision_transformer as vit  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)
use_sdpa = args.attention == 'sdpa-shim'
if args.tiny:
    args.frames, args.resolution = min(args.frames, 4), 32
    from functools import partial
    model = vit.VisionTransformer(img_size=(32, 32), patch_size=16, num_frames=args.frames, tubelet_size=2, embed_dim=64, depth=2, num_heads=4,
                                  norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), use_rope=True, use_sdpa=use_sdpa, uniform_power=False)
else:
    model = getattr(vit, args.model)(img_size=(args.resolution, args.resolution), num_frames=args.frames, tubelet_size=2,
                                     use_rope=True, use_sdpa=use_sdpa, uniform_power=False)
model.eval()
clip = torch.randn(1, 3, args.frames, args.resolution, args.resolution)

times = []
with torch.no_grad():
    for i in range(args.warmup + args.runs):
        start = time.perf_counter()
        out = model(clip)
        elapsed = (time.perf_counter() - start) * 1000
        if i >= args.warmup:
            times.append(elapsed)
tokens = (args.frames // 2) * (args.resolution // 16) ** 2
assert out.shape[1] == tokens, f'expected {tokens} tokens, got {tuple(out.shape)}'
print(json.dumps({
    'impl': 'pytorch-official-vjepa2',
    'model': 'tiny' if args.tiny else args.model,
    'tokens': tokens,
    'frames': args.frames,
    'resolution': args.resolution,
    'torch': torch.__version__,
    'attention': args.attention,
    'threads': args.threads,
    'median_ms': round(statistics.median(times)),
    'min_ms': round(min(times)),
    'runs': args.runs,
    'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
}))
