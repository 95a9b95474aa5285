#!/usr/bin/env python3
"""Times the official V-JEPA PyTorch training step on the bench configuration of `vjepa bench`.

Builds the models, masks, optimiser and schedules with the official code (facebookresearch/jepa) and runs,
per step, exactly the body of `train_step` in `app/vjepa/train.py`: LR/WD schedule steps, target encoder on
all tokens + F.layer_norm, context encoder + predictor per mask generator, the L1 loss (loss_exp 1) averaged
over generators, backward, the per-module gradient clipping (10) only from the epoch the official loop clips
(`epoch > warmup`), AdamW, zero_grad and the EMA update of the target encoder. fp32, CPU, no AMP.

Only the step is timed, as the official `gpu_timer(train_step)` does; the mask collation of each step
(official `MaskCollator` + `load_clips`) is timed apart and printed as `masks_ms` (`--include-masks` adds it
to `step_ms`, as `vjepa bench` times its mask sampling).

    /usr/bin/python3 bench/official_step.py --jepa /tmp/jepa --threads 1

See bench/README.md for how to get the official code and for what differs from `app/vjepa/train.py`.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--jepa', required=True, help='root of a checkout of facebookresearch/jepa (holds src/ and app/)')
    p.add_argument('--steps', type=int, default=20, help='timed steps (default 20), after --warmup untimed ones')
    p.add_argument('--warmup', type=int, default=3, help='untimed steps first (default 3)')
    p.add_argument('--threads', type=int, default=1, help='torch.set_num_threads, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS (default 1)')
    p.add_argument('--seed', type=int, default=0, help='seed of the weights and the clips (default 0)')
    p.add_argument('--start-step', type=int, default=0,
                   help='advance the schedules (and the mask collator) this many steps first, as the official resume '
                        'does; 41 or more puts every step in the clipping epochs (default 0: the bench never clips)')
    p.add_argument('--attention', choices=['auto', 'sdpa', 'math'], default='auto',
                   help='official Attention path: sdpa (the default of src/models/utils/modules.py, needs torch >= 2.0) '
                        'or math (its use_sdpa=False branch); auto: sdpa where torch has it (default auto)')
    p.add_argument('--official-extras', action='store_true',
                   help='also run the rest of the official train_step: the predictor-variance regulariser (reg_coeff 0, '
                        'still in the graph), grad_logger and adamw_logger')
    p.add_argument('--include-masks', action='store_true',
                   help='time the mask collation with the step (as `vjepa bench` does, whose timed run samples the '
                        'masks); default: the step alone, the region of the official gpu_timer(train_step)')
    args = p.parse_args()
    for name in ('steps', 'threads'):
        if getattr(args, name) < 1:
            p.error(f'--{name.replace("_", "-")}: expected a positive integer, received {getattr(args, name)}')
    for name in ('warmup', 'start_step'):
        if getattr(args, name) < 0:
            p.error(f'--{name.replace("_", "-")}: expected a non-negative integer, received {getattr(args, name)}')
    for sub in ('src/models/vision_transformer.py', 'app/vjepa/utils.py', 'src/masks/multiblock3d.py'):
        if not os.path.isfile(os.path.join(args.jepa, sub)):
            p.error(f'--jepa: expected a facebookresearch/jepa checkout holding {sub}, received {args.jepa}')
    return args


args = parse_args()
# Thread counts must be in the environment before torch (and its BLAS) load: Debian's torch calls a
# generic libblas (OpenBLAS through alternatives) whose pool torch.set_num_threads does not size.
for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = str(args.threads)
sys.path.insert(0, os.path.abspath(args.jepa))

import copy  # noqa: E402
import logging  # noqa: E402
from functools import partial  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import src.models.vision_transformer as video_vit  # noqa: E402
from src.models.utils.modules import Attention  # noqa: E402
from src.masks.multiblock3d import MaskCollator  # noqa: E402
from src.masks.utils import apply_masks  # noqa: E402
from src.utils.logging import grad_logger, adamw_logger  # noqa: E402
from src.utils.tensors import repeat_interleave_batch  # noqa: E402
from app.vjepa.utils import init_video_model, init_opt  # noqa: E402

logging.getLogger().setLevel(logging.WARNING)  # app.vjepa.utils logs both models at INFO
torch.set_num_threads(args.threads)

# ---------------------------------------------------------------- bench configuration (issue 9)
BATCH = 4
NUM_CLIPS = 1
CROP, FRAMES, PATCH, TUBELET = 64, 16, 16, 2
ENC_DIM, ENC_DEPTH, ENC_HEADS = 192, 6, 3
PRED_DIM, PRED_DEPTH = 96, 4          # predictor heads: init_video_model passes the encoder's (3)
# configs/pretrain/vitl16.yaml: mask, model, loss, optimization (schedules sized as officialRecipe(300))
CFGS_MASK = [
    {'aspect_ratio': [0.75, 1.5], 'num_blocks': 8, 'spatial_scale': [0.15, 0.15],
     'temporal_scale': [1.0, 1.0], 'max_temporal_keep': 1.0, 'max_keep': None},
    {'aspect_ratio': [0.75, 1.5], 'num_blocks': 2, 'spatial_scale': [0.7, 0.7],
     'temporal_scale': [1.0, 1.0], 'max_temporal_keep': 1.0, 'max_keep': None},
]
UNIFORM_POWER, USE_MASK_TOKENS, ZERO_INIT_MASK_TOKENS = True, True, True
LOSS_EXP, REG_COEFF = 1.0, 0.0
CLIP_GRAD, WD, FINAL_WD = 10.0, 0.04, 0.4
EPOCHS, WARMUP, IPE_SCALE = 300, 40, 1.25
START_LR, LR, FINAL_LR = 2e-4, 6.25e-4, 1e-6
EMA = [0.998, 1.0]
BETAS, EPS = (0.9, 0.999), 1e-8

# Steps the schedules are sized for, as `vjepa bench` sizes officialRecipe: 300, or more when the run
# would outlast the schedules. ipe = steps / epochs, so officialRecipe(300) is ipe 1 (warm-up 40 steps,
# schedules 375 steps, clipping from step 41).
steps_taken = args.start_step + args.warmup + args.steps
recipe_steps = max(300, math.ceil(steps_taken / IPE_SCALE))
IPE = recipe_steps / EPOCHS


def vit_bench(patch_size=16, **kwargs):
    """vit_tiny of src/models/vision_transformer.py at depth 6 (the bench encoder)."""
    return video_vit.VisionTransformer(
        patch_size=patch_size, embed_dim=ENC_DIM, depth=ENC_DEPTH, num_heads=ENC_HEADS, mlp_ratio=4,
        qkv_bias=True, norm_layer=partial(nn.LayerNorm, eps=1e-6), **kwargs)


video_vit.vit_bench = vit_bench  # init_video_model looks the encoder up by name in this module

np.random.seed(args.seed)
torch.manual_seed(args.seed)
device = torch.device('cpu')

encoder, predictor = init_video_model(
    uniform_power=UNIFORM_POWER,
    use_mask_tokens=USE_MASK_TOKENS,
    num_mask_tokens=len(CFGS_MASK),
    zero_init_mask_tokens=ZERO_INIT_MASK_TOKENS,
    device=device,
    patch_size=PATCH,
    num_frames=FRAMES,
    tubelet_size=TUBELET,
    model_name='vit_bench',
    crop_size=CROP,
    pred_depth=PRED_DEPTH,
    pred_embed_dim=PRED_DIM,
    use_sdpa=True,
)
attention = args.attention
if attention == 'auto':
    attention = 'sdpa' if hasattr(F, 'scaled_dot_product_attention') else 'math'
if attention == 'sdpa' and not hasattr(F, 'scaled_dot_product_attention'):
    sys.exit(f'--attention: expected math on torch {torch.__version__} (no F.scaled_dot_product_attention), received sdpa')
for module in encoder.modules():
    if isinstance(module, Attention):
        module.use_sdpa = attention == 'sdpa'
for module in predictor.modules():
    if isinstance(module, Attention):
        module.use_sdpa = attention == 'sdpa'
target_encoder = copy.deepcopy(encoder)

mask_collator = MaskCollator(
    crop_size=CROP, num_frames=FRAMES, patch_size=PATCH, tubelet_size=TUBELET, cfgs_mask=CFGS_MASK)

optimizer, scaler, scheduler, wd_scheduler = init_opt(
    encoder=encoder,
    predictor=predictor,
    wd=WD,
    final_wd=FINAL_WD,
    start_lr=START_LR,
    ref_lr=LR,
    final_lr=FINAL_LR,
    iterations_per_epoch=IPE,
    warmup=WARMUP,
    num_epochs=EPOCHS,
    ipe_scale=IPE_SCALE,
    mixed_precision=False,
    betas=BETAS,
    eps=EPS)
for p in target_encoder.parameters():
    p.requires_grad = False

momentum_scheduler = (EMA[0] + i*(EMA[1]-EMA[0])/(IPE*EPOCHS*IPE_SCALE)
                      for i in range(int(IPE*EPOCHS*IPE_SCALE)+1))
for _ in range(args.start_step):  # as the official resume from a checkpoint
    scheduler.step()
    wd_scheduler.step()
    next(momentum_scheduler)
    mask_collator.step()

# Random clips, uniform in [-2, 2) as `vjepa bench` draws them; [C, T, H, W] per clip, one clip per sample.
clip_gen = torch.Generator().manual_seed(args.seed + 1)
samples = [([torch.rand((3, FRAMES, CROP, CROP), generator=clip_gen) * 4 - 2], 0, [0]) for _ in range(BATCH)]

dtype, mixed_precision = torch.float32, False
loss_exp, reg_coeff, clip_grad, warmup = LOSS_EXP, REG_COEFF, CLIP_GRAD, WARMUP
batch_size, num_clips = BATCH, NUM_CLIPS
extras = args.official_extras


def load_batch():
    """The official collation and `load_clips` of one iteration of the training loop."""
    udata, masks_enc, masks_pred = mask_collator(samples)
    clips = torch.cat([u.to(device, non_blocking=True) for u in udata[0]], dim=0)
    _masks_enc, _masks_pred = [], []
    for _me, _mp in zip(masks_enc, masks_pred):
        _me = _me.to(device, non_blocking=True)
        _mp = _mp.to(device, non_blocking=True)
        _me = repeat_interleave_batch(_me, batch_size, repeat=num_clips)
        _mp = repeat_interleave_batch(_mp, batch_size, repeat=num_clips)
        _masks_enc.append(_me)
        _masks_pred.append(_mp)
    return clips, _masks_enc, _masks_pred


def train_step(clips, masks_enc, masks_pred, epoch):
    """The body of `train_step` in app/vjepa/train.py (DDP wrappers and AMP branches aside)."""
    _new_lr = scheduler.step()
    _new_wd = wd_scheduler.step()

    def forward_target(c):
        with torch.no_grad():
            h = target_encoder(c)
            h = F.layer_norm(h, (h.size(-1),))  # normalize over feature-dim  [B, N, D]
            h = apply_masks(h, masks_pred, concat=False)
            return h

    def forward_context(c, h):
        z = encoder(c, masks_enc)
        z = predictor(z, h, masks_enc, masks_pred)
        return z

    def loss_fn(z, h):
        loss = 0.
        for zi, hi in zip(z, h):
            loss += torch.mean(torch.abs(zi - hi)**loss_exp) / loss_exp
        loss /= len(masks_pred)
        return loss

    def reg_fn(z):
        return sum([torch.sqrt(zi.var(dim=1) + 0.0001) for zi in z]) / len(z)

    # Step 1. Forward
    loss_jepa, loss_reg = 0., 0.
    h = forward_target(clips)
    z = forward_context(clips, h)
    loss_jepa = loss_fn(z, h)
    if extras:
        pstd_z = reg_fn(z)
        loss_reg += torch.mean(F.relu(1.-pstd_z))
        loss = loss_jepa + reg_coeff * loss_reg
    else:
        loss = loss_jepa  # reg_coeff is 0 in every released config

    # Step 2. Backward & step
    _enc_norm, _pred_norm = 0., 0.
    loss.backward()
    clipped = (epoch > warmup) and (clip_grad is not None)
    if clipped:
        _enc_norm = torch.nn.utils.clip_grad_norm_(encoder.parameters(), clip_grad)
        _pred_norm = torch.nn.utils.clip_grad_norm_(predictor.parameters(), clip_grad)
    optimizer.step()
    if extras:
        grad_stats = grad_logger(encoder.named_parameters())
        grad_stats.global_norm = float(_enc_norm)
        grad_stats_pred = grad_logger(predictor.named_parameters())
        grad_stats_pred.global_norm = float(_pred_norm)
    optimizer.zero_grad()
    if extras:
        adamw_logger(optimizer)

    # Step 3. momentum update of target encoder
    m = next(momentum_scheduler)
    with torch.no_grad():
        for param_q, param_k in zip(encoder.parameters(), target_encoder.parameters()):
            param_k.data.mul_(m).add_((1.-m) * param_q.detach().data)

    return float(loss), float(loss_jepa), _new_lr, _new_wd, m, clipped


def blas_library():
    """The BLAS shared object this process loaded (Debian's torch calls a generic libblas)."""
    try:
        with open('/proc/self/maps') as maps:
            libs = {line.split()[-1] for line in maps if 'blas' in line.lower() and '/' in line}
        return ', '.join(sorted(os.path.realpath(lib) for lib in libs)) or 'unknown'
    except OSError:
        return 'unknown'


print(f'official V-JEPA train_step (facebookresearch/jepa at {os.path.abspath(args.jepa)}), torch {torch.__version__}, '
      f'threads {torch.get_num_threads()}, BLAS {blas_library()}, attention {attention}, '
      f'official extras {"on" if extras else "off"}, masks {"timed" if args.include_masks else "not timed"}')
print(f'encoder {ENC_DIM}/{ENC_DEPTH}/{ENC_HEADS}, predictor {PRED_DIM}/{PRED_DEPTH}/{ENC_HEADS}, batch {BATCH} of '
      f'{FRAMES}x{CROP}x{CROP}, tubelet {TUBELET}, patch {PATCH}; schedules of officialRecipe({recipe_steps}) '
      f'(ipe {IPE:g}, warm-up {int(WARMUP*IPE)} steps, clipping from epoch {WARMUP + 1}); '
      f'{args.warmup} warm-up + {args.steps} timed steps from step {args.start_step}')

times = []
for i in range(args.warmup + args.steps):
    step = args.start_step + i
    epoch = int(step // IPE)
    t0 = time.perf_counter()
    clips, masks_enc, masks_pred = load_batch()
    t1 = time.perf_counter()
    loss, loss_jepa, lr, wd, m, clipped = train_step(clips, masks_enc, masks_pred, epoch)
    t2 = time.perf_counter()
    assert not np.isnan(loss), 'loss is nan'
    timed = i >= args.warmup
    step_ms = (t2 - (t0 if args.include_masks else t1)) * 1000
    if timed:
        times.append(step_ms)
    ctx = '/'.join(str(me.shape[1]) for me in masks_enc)
    tgt = '/'.join(str(mp.shape[1]) for mp in masks_pred)
    print(f'{"step" if timed else "warm"} {step:4d}  loss {loss:.6f}  lr {lr:.3e}  wd {wd:.4f}  m {m:.6f}  '
          f'clip {"y" if clipped else "n"}  ctx {ctx}  tgt {tgt}  masks_ms {(t1 - t0) * 1000:.2f}  step_ms {step_ms:.1f}',
          flush=True)

print(json.dumps({
    'impl': 'pytorch-official',
    'threads': args.threads,
    'median_ms': round(statistics.median(times), 2),
    'min_ms': round(min(times), 2),
    'steps': len(times),
    'times_ms': [round(t, 2) for t in times],
    'torch': torch.__version__,
    'attention': attention,
    'official_extras': extras,
    'start_step': args.start_step,
    'include_masks': args.include_masks,
}))
