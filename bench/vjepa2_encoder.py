#!/usr/bin/env python3
"""Times the official V-JEPA 2 encoder (facebookresearch/vjepa2 `src/models/vision_transformer.py`, RoPE) forward on
one clip, batch 1, random weights of the real sizes, and prints one JSON line like bench/vjepa2-encoder.ts: median ms
per clip, GFLOP/s (matmuls and attention, counted the same way), peak RSS.

    PYTHONPATH=/tmp/pylibs /usr/bin/python3 bench/vjepa2_encoder.py --vjepa2 /tmp/vjepa2 --size vitl --threads 1

torch 1.13 (Debian's python3-torch) lacks F.scaled_dot_product_attention: shimmed here with the plain formula (never in
the official code); timm, which the official code imports for drop_path only, is stood in for where missing; einops
must be importable (e.g. unpacked into /tmp/pylibs).
"""
import argparse, json, os, resource, statistics, sys, time

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--vjepa2', required=True, help='a checkout of facebookresearch/vjepa2')
p.add_argument('--size', choices=['vitl', 'vith', 'vitg'], default='vitl')
p.add_argument('--frames', type=int, default=16)
p.add_argument('--px', type=int, default=256)
p.add_argument('--runs', type=int, default=3)
p.add_argument('--threads', type=int, default=1)
args = p.parse_args()
if not os.path.isfile(os.path.join(args.vjepa2, 'src/models/vision_transformer.py')):
    p.error(f'--vjepa2: expected a facebookresearch/vjepa2 checkout, received {args.vjepa2}')
for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
    os.environ[var] = str(args.threads)
sys.path.insert(0, args.vjepa2)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_shims  # noqa: E402

torch_shims.install()
import src.models.vision_transformer as vit  # noqa: E402

make = {'vitl': vit.vit_large, 'vith': vit.vit_huge, 'vitg': vit.vit_giant_xformers}[args.size]
encoder = make(img_size=(args.px, args.px), patch_size=16, num_frames=args.frames, tubelet_size=2, use_sdpa=True, use_rope=True).eval()
d, depth = encoder.embed_dim, len(encoder.blocks)
hidden = encoder.blocks[0].mlp.fc1.out_features
tokens = (args.frames // 2) * (args.px // 16) ** 2
flop = 2 * (tokens * depth * (4 * d * d + 2 * d * hidden) + depth * 2 * tokens * tokens * d + tokens * d * 2 * 16 * 16 * 3)
clip = torch.randn(1, 3, args.frames, args.px, args.px)


def once():
    start = time.perf_counter()
    with torch.no_grad():
        encoder(clip)
    return (time.perf_counter() - start) * 1000


once()
times = sorted(once() for _ in range(args.runs))
ms = statistics.median(times)
print(json.dumps({'impl': 'official-vjepa2', 'torch': torch.__version__, 'size': args.size, 'frames': args.frames, 'px': args.px,
                  'tokens': tokens, 'threads': args.threads, 'ms_per_clip': round(ms), 'gflops': round(flop / ms / 1e6, 1),
                  'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  'weights_mb': round(sum(p.numel() for p in encoder.parameters()) * 4 / 2 ** 20), 'runs': [round(t) for t in times]}))
