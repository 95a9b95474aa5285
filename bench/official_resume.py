#!/usr/bin/env python3
"""Resumes a checkpoint with the official V-JEPA code itself, as its trainers do on a restart.

`pretrain` (default): builds the models and optimiser with the official `init_video_model` and `init_opt` (the tiny
configuration of fixtures/reference/tiny.json, the one of fixtures/pytorch/official-run.pth.tar), wraps them as DDP
does (keys `module.…`) and calls `app/vjepa/utils.py`'s `load_checkpoint`, then runs two official training steps
(official collator, L1 loss, AdamW, EMA). `probe`: the official `AttentiveClassifier` of
fixtures/pytorch/official-probe-run.pth.tar (48 wide, 4 heads, one block, 5 classes) with
`evals/video_classification_frozen/eval.py`'s `init_opt` and `load_checkpoint`, then two official steps
(cross-entropy on random features). Prints one JSON object: what the loader logged, the exceptions it logged, the
epoch it returned, the group sizes, whether the optimiser now holds the file's AdamW moments bit for bit (position
by position), and the losses and AdamW step counts after the two steps — so a file written by `vjepa convert RUN
out.pth.tar` (or `writeOfficialProbeRun`) is checked to resume in the official trainer, not to silently restart.

    /usr/bin/python3 bench/official_resume.py --jepa /tmp/jepa out.pth.tar
    /usr/bin/python3 bench/official_resume.py --jepa /tmp/jepa --kind probe probe.pth.tar

`pretrain-v2`: the same with the official vjepa2 code (facebookresearch/vjepa2: `init_video_model` with RoPE and 10
mask tokens, its `init_opt` and `load_checkpoint`) on the tiny V-JEPA 2 of fixtures/vjepa2/official-run.pt.

Needs torch (Debian's python3-torch 1.13 works; its missing F.scaled_dot_product_attention is shimmed with the plain
formula here, never in the official code), a checkout of facebookresearch/jepa (or vjepa2), for `probe`
python3-torchvision and python3-opencv (which eval.py imports), for `pretrain-v2` einops on the path (timm, which
vjepa2 imports for drop_path only, is stood in for where missing).
"""

import argparse
import copy
import functools
import json
import logging
import os
import sys


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--jepa', required=True, help='root of a checkout of facebookresearch/jepa (holds src/ and app/)')
    p.add_argument('--kind', choices=['pretrain', 'probe', 'pretrain-v2'], default='pretrain',
                   help='what the checkpoint holds (default pretrain); pretrain-v2: a V-JEPA 2 run, --jepa then names a '
                        'facebookresearch/vjepa2 checkout')
    p.add_argument('checkpoint', help='the .pth.tar to resume')
    args = p.parse_args()
    subs = ('app/vjepa/utils.py', 'src/models/predictor.py') if args.kind == 'pretrain-v2' else ('app/vjepa/utils.py', 'evals/video_classification_frozen/eval.py')
    for sub in subs:
        if not os.path.isfile(os.path.join(args.jepa, sub)):
            p.error(f'--jepa: expected a facebookresearch/jepa checkout holding {sub}, received {args.jepa}')
    if not os.path.isfile(args.checkpoint):
        p.error(f'checkpoint: expected a file, received {args.checkpoint}')
    return args


args = parse_args()
sys.path.insert(0, args.jepa)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
if not hasattr(F, 'scaled_dot_product_attention'):
    def _sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False):
        return ((q @ k.transpose(-2, -1)) * (q.size(-1) ** -0.5)).softmax(-1) @ v
    F.scaled_dot_product_attention = _sdpa

try:  # vjepa2 imports timm for drop_path only; with drop path 0 a stand-in does (never a change to the official code)
    import timm  # noqa: F401
except ImportError:
    import types
    _timm = types.ModuleType('timm'); _models = types.ModuleType('timm.models'); _layers = types.ModuleType('timm.models.layers')
    _layers.drop_path = lambda x, drop_prob=0.0, training=False, scale_by_keep=True: x
    _timm.models = _models; _models.layers = _layers
    sys.modules.update({'timm': _timm, 'timm.models': _models, 'timm.models.layers': _layers})

logged = []


class Capture(logging.Handler):
    def emit(self, record):
        logged.append(record.getMessage())


logging.getLogger().addHandler(Capture())
logging.getLogger().setLevel(logging.INFO)


class DDP(torch.nn.Module):  # what DistributedDataParallel adds to the keys
    def __init__(self, m):
        super().__init__()
        self.module = m

    def forward(self, *a, **kw):
        return self.module(*a, **kw)


def pretrain():
    import src.models.vision_transformer as vit
    from app.vjepa.utils import init_opt, init_video_model, load_checkpoint
    from src.masks.multiblock3d import MaskCollator
    from src.masks.utils import apply_masks

    crop, patch, frames, dim, depth, heads, pdim, pdepth = 24, 8, 8, 48, 2, 4, 32, 2
    vit.vit_fixture_tiny = lambda patch_size=16, **kw: vit.VisionTransformer(
        patch_size=patch_size, embed_dim=dim, depth=depth, num_heads=heads, mlp_ratio=4, qkv_bias=True,
        norm_layer=functools.partial(torch.nn.LayerNorm, eps=1e-6), **kw)
    torch.manual_seed(0)
    enc, pred = init_video_model(device=torch.device('cpu'), patch_size=patch, num_frames=frames, tubelet_size=2,
                                 model_name='vit_fixture_tiny', crop_size=crop, pred_depth=pdepth, pred_embed_dim=pdim,
                                 uniform_power=True, use_mask_tokens=True, num_mask_tokens=2, zero_init_mask_tokens=True,
                                 use_sdpa=False)
    tgt = copy.deepcopy(enc)
    for p in tgt.parameters():
        p.requires_grad = False
    opt, scaler, sched, wd_sched = init_opt(encoder=enc, predictor=pred, wd=0.04, final_wd=0.4, start_lr=2e-4,
                                            ref_lr=6.25e-4, final_lr=1e-6, iterations_per_epoch=1, warmup=1, num_epochs=10,
                                            ipe_scale=1.25, mixed_precision=False, betas=(0.9, 0.999), eps=1e-8)
    enc_d, pred_d, tgt_d = DDP(enc), DDP(pred), DDP(tgt)
    enc_d, pred_d, tgt_d, opt, scaler, epoch = load_checkpoint(r_path=args.checkpoint, encoder=enc_d, predictor=pred_d,
                                                               target_encoder=tgt_d, opt=opt, scaler=scaler)
    coll = MaskCollator(cfgs_mask=[dict(spatial_scale=(0.15, 0.15), temporal_scale=(1.0, 1.0), aspect_ratio=(0.75, 1.5), num_blocks=8, max_temporal_keep=1.0, max_keep=None),
                                   dict(spatial_scale=(0.7, 0.7), temporal_scale=(1.0, 1.0), aspect_ratio=(0.75, 1.5), num_blocks=2, max_temporal_keep=1.0, max_keep=None)],
                        crop_size=(crop, crop), num_frames=frames, patch_size=patch, tubelet_size=2)

    def step():
        video = torch.randn(2, 3, frames, crop, crop)
        _, m_enc, m_pred = coll([[video[b]] for b in range(2)])
        with torch.no_grad():
            h = F.layer_norm(tgt_d(video), (dim,))
            targets = [apply_masks(h, [m]) for m in m_pred]
        zp = pred_d(enc_d(video, m_enc), targets, m_enc, m_pred)
        loss = sum(torch.mean(torch.abs(a - b)) for a, b in zip(zp, targets)) / len(zp)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for q, k in zip(enc.parameters(), tgt.parameters()):
                k.mul_(0.998).add_(0.002 * q.detach())
        return float(loss)

    return opt, sched, wd_sched, epoch, step


def probe():
    from src.models.attentive_pooler import AttentiveClassifier
    from evals.video_classification_frozen.eval import init_opt, load_checkpoint

    dim, heads, classes, tokens, batch = 48, 4, 5, 36, 4
    torch.manual_seed(0)
    classifier = DDP(AttentiveClassifier(embed_dim=dim, num_heads=heads, depth=1, num_classes=classes))
    opt, scaler, sched, wd_sched = init_opt(classifier=classifier.module, wd=0.01, start_lr=1e-4, ref_lr=1e-3, final_lr=0.0,
                                            iterations_per_epoch=1, warmup=1, num_epochs=20, use_bfloat16=False)
    classifier, opt, scaler, epoch = load_checkpoint(device=torch.device('cpu'), r_path=args.checkpoint,
                                                     classifier=classifier, opt=opt, scaler=scaler)
    criterion = torch.nn.CrossEntropyLoss()

    def step():
        loss = criterion(classifier(torch.randn(batch, tokens, dim)), torch.randint(0, classes, (batch,)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss)

    return opt, sched, wd_sched, epoch, step


def pretrain_v2():
    import src.models.vision_transformer as vit
    from app.vjepa.utils import init_opt, init_video_model, load_checkpoint
    from src.masks.utils import apply_masks

    # the tiny V-JEPA 2 of fixtures/vjepa2/official-run.pt
    crop, patch, frames, dim, depth, heads, pdim, pdepth = 16, 4, 8, 24, 3, 2, 24, 2
    vit.vit_fixture_tiny = lambda **kw: vit.VisionTransformer(embed_dim=dim, depth=depth, num_heads=heads, mlp_ratio=4, qkv_bias=True,
                                                              norm_layer=functools.partial(torch.nn.LayerNorm, eps=1e-6), **kw)
    torch.manual_seed(0)
    enc, pred = init_video_model(device=torch.device('cpu'), patch_size=patch, max_num_frames=frames, tubelet_size=2,
                                 model_name='vit_fixture_tiny', crop_size=crop, pred_depth=pdepth, pred_num_heads=heads,
                                 pred_embed_dim=pdim, uniform_power=False, use_mask_tokens=True, num_mask_tokens=10,
                                 zero_init_mask_tokens=True, use_sdpa=True, use_rope=True)
    tgt = copy.deepcopy(enc)
    for p in tgt.parameters():
        p.requires_grad = False
    opt, scaler, sched, wd_sched = init_opt(is_anneal=False, encoder=enc, predictor=pred, wd=0.04, final_wd=0.04, start_lr=1e-4,
                                            ref_lr=5.25e-4, final_lr=1e-6, iterations_per_epoch=1, warmup=1, num_epochs=10,
                                            ipe_scale=1.25, mixed_precision=False, betas=(0.9, 0.999), eps=1e-8)
    enc_d, pred_d, tgt_d = DDP(enc), DDP(pred), DDP(tgt)
    enc_d, pred_d, tgt_d, opt, scaler, epoch = load_checkpoint(r_path=args.checkpoint, encoder=enc_d, predictor=pred_d,
                                                               target_encoder=tgt_d, opt=opt, scaler=scaler)
    tokens = (frames // 2) * (crop // patch) ** 2

    def step():
        clips = [torch.randn(2, 3, frames, crop, crop)]
        order = torch.randperm(tokens)
        masks_enc, masks_pred = [[order[:24].sort().values.repeat(2, 1)]], [[order[24:].sort().values.repeat(2, 1)]]
        with torch.no_grad():
            h = [F.layer_norm(hi, (hi.size(-1),)) for hi in tgt_d(clips)]
        z = pred_d(enc_d(clips, masks_enc), masks_enc, masks_pred)
        h = [apply_masks(hi, mi, concat=False) for hi, mi in zip(h, masks_pred)]
        loss = sum(torch.mean(torch.abs(zij - hij)) for zi, hi in zip(z, h) for zij, hij in zip(zi, hi))
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for q, k in zip(enc.parameters(), tgt.parameters()):
                k.mul_(0.99925).add_(0.00075 * q.detach())
        return float(loss)

    return opt, sched, wd_sched, epoch, step


opt, sched, wd_sched, epoch, step = {'pretrain': pretrain, 'probe': probe, 'pretrain-v2': pretrain_v2}[args.kind]()

# the optimiser's state against the file's, position by position (bit for bit)
saved = torch.load(args.checkpoint, map_location='cpu')
saved_opt = saved['opt']
params = [p for g in opt.param_groups for p in g['params']]
positions = [i for g in saved_opt['param_groups'] for i in g['params']]
equal, compared = True, 0
for position, p in zip(positions, params):
    entry = saved_opt['state'].get(position)
    if entry is None:
        equal &= p not in opt.state or len(opt.state[p]) == 0
        continue
    for key in ('exp_avg', 'exp_avg_sq', 'step'):
        equal &= torch.equal(opt.state[p][key].reshape(-1).view(torch.int32), entry[key].reshape(-1).view(torch.int32))
    compared += 1

# two official training steps from there (both official loops advance the schedules by start_epoch * ipe first; ipe 1)
for _ in range(epoch):
    sched.step()
    wd_sched.step()
losses = []
for _ in range(2):
    sched.step()
    wd_sched.step()
    losses.append(step())

print(json.dumps({
    'checkpoint': args.checkpoint,
    'kind': args.kind,
    'torch': torch.__version__,
    'logged': logged,
    'exceptions_logged': [m for m in logged if 'exception' in m.lower()],
    'epoch_returned': epoch,
    'epoch_in_file': saved['epoch'],
    'groups_file': [len(g['params']) for g in saved_opt['param_groups']],
    'groups_official': [len(g['params']) for g in opt.param_groups],
    'states_compared': compared,
    'moments_bit_equal': bool(equal),
    'losses_after': losses,
    'adamw_steps_after': sorted({int(s['step']) for s in opt.state.values() if 'step' in s}),
}, indent=1))
