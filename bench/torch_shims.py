"""The two stand-ins the official vjepa2 code needs under Debian's torch 1.13, installed by the comparison scripts here
and never written into the official code: F.scaled_dot_product_attention as the plain formula (torch 1.13 lacks it), and
timm's drop_path as the identity where timm is not installed (the official code imports timm for drop_path only; every
model timed here has drop path 0)."""
import sys, types

import torch.nn.functional as F


def install():
    if not hasattr(F, 'scaled_dot_product_attention'):
        def _sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
            return ((q @ k.transpose(-2, -1)) * (scale if scale is not None else q.size(-1) ** -0.5)).softmax(-1) @ v
        F.scaled_dot_product_attention = _sdpa
    try:
        import timm  # noqa: F401
    except ImportError:
        t = types.ModuleType('timm'); m = types.ModuleType('timm.models'); layers = types.ModuleType('timm.models.layers')
        layers.drop_path = lambda x, drop_prob=0.0, training=False, scale_by_keep=True: x
        t.models = m; m.layers = layers
        sys.modules.update({'timm': t, 'timm.models': m, 'timm.models.layers': layers})
