#!/usr/bin/env python3
"""Resumes an attentive-probe checkpoint with the official frozen-evaluation code itself.

Builds the official AttentiveClassifier (the probe of fixtures/pytorch/official-probe-run.pth.tar: 48 wide, 4 heads,
one cross-attention block, 5 classes) and the optimiser of `evals/video_classification_frozen/eval.py`'s `init_opt`
(two AdamW groups), wraps the classifier as DDP does (keys `module.…`), calls that file's `load_checkpoint`, and prints
what it logged, the epoch it returned, whether the optimiser now holds the file's moments bit for bit (position by
position), then two official training steps (cross-entropy on random features, schedules, AdamW) and their losses.

    /usr/bin/python3 bench/official_probe_resume.py --jepa /tmp/jepa probe.pth.tar

Needs torch (Debian's python3-torch 1.13, with python3-torchvision and python3-opencv for eval.py's imports; its
missing F.scaled_dot_product_attention is shimmed with the plain formula here, never in the official code) and a
checkout of facebookresearch/jepa.
"""

import argparse
import json
import logging
import os
import sys


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--jepa', required=True, help='root of a checkout of facebookresearch/jepa')
    p.add_argument('checkpoint', help='the probe .pth.tar to resume')
    args = p.parse_args()
    if not os.path.isfile(os.path.join(args.jepa, 'evals/video_classification_frozen/eval.py')):
        p.error(f'--jepa: expected a facebookresearch/jepa checkout, received {args.jepa}')
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

from src.models.attentive_pooler import AttentiveClassifier  # noqa: E402
from evals.video_classification_frozen.eval import init_opt, load_checkpoint  # noqa: E402

logged = []


class Capture(logging.Handler):
    def emit(self, record):
        logged.append(record.getMessage())


logging.getLogger().addHandler(Capture())
logging.getLogger().setLevel(logging.INFO)

dim, heads, classes, tokens, batch = 48, 4, 5, 36, 4
torch.manual_seed(0)
classifier = AttentiveClassifier(embed_dim=dim, num_heads=heads, depth=1, num_classes=classes)
opt, scaler, sched, wd_sched = init_opt(classifier=classifier, wd=0.01, start_lr=1e-4, ref_lr=1e-3, final_lr=0.0,
                                        iterations_per_epoch=1, warmup=1, num_epochs=20, use_bfloat16=False)


class DDP(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.module = m

    def forward(self, *a, **kw):
        return self.module(*a, **kw)


wrapped = DDP(classifier)
wrapped, opt, scaler, epoch = load_checkpoint(device=torch.device('cpu'), r_path=args.checkpoint, classifier=wrapped,
                                              opt=opt, scaler=scaler)
saved = torch.load(args.checkpoint, map_location='cpu')['opt']
params = [p for g in opt.param_groups for p in g['params']]
positions = [i for g in saved['param_groups'] for i in g['params']]
equal, compared = True, 0
for position, p in zip(positions, params):
    entry = saved['state'].get(position)
    if entry is None:
        equal &= p not in opt.state or len(opt.state[p]) == 0
        continue
    for key in ('exp_avg', 'exp_avg_sq', 'step'):
        equal &= torch.equal(opt.state[p][key].reshape(-1).view(torch.int32), entry[key].reshape(-1).view(torch.int32))
    compared += 1

for _ in range(epoch * 1):  # eval.py advances the schedules by start_epoch * ipe on resume
    sched.step()
    wd_sched.step()
criterion = torch.nn.CrossEntropyLoss()
losses = []
for _ in range(2):
    sched.step()
    wd_sched.step()
    x = torch.randn(batch, tokens, dim)
    y = torch.randint(0, classes, (batch,))
    loss = criterion(wrapped(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(float(loss))

print(json.dumps({
    'checkpoint': args.checkpoint,
    'torch': torch.__version__,
    'logged': logged,
    'exceptions_logged': [m for m in logged if 'exception' in m.lower()],
    'epoch_returned': epoch,
    'groups_file': [len(g['params']) for g in saved['param_groups']],
    'groups_official': [len(g['params']) for g in opt.param_groups],
    'states_compared': compared,
    'moments_bit_equal': bool(equal),
    'losses_after': losses,
    'adamw_steps_after': sorted({int(s['step']) for s in opt.state.values() if 'step' in s}),
}, indent=1))
