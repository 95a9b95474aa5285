#!/usr/bin/env python3
"""Times the official V-JEPA 2 video classification path (facebookresearch/vjepa2 evals/video_classification_frozen) on
one video with the SSv2 protocol — 2 segments × 3 views of 16 × 4 frames at 256 px — with random weights of the released
ViT-L sizes, and prints one JSON line like bench/vjepa2-classify.sh: wall seconds, the frames' and the models' ms,
GFLOP/s of the models (matmuls and attention, counted as bench/vjepa2_encoder.py does, plus the probe), peak RSS.

    PYTHONPATH=/tmp/pylibs /usr/bin/python3 bench/vjepa2_classify.py --vjepa2 /tmp/vjepa2 --video clip.mp4 --threads 1

What runs is the official code: EvalVideoTransform (short side to 256, 3 crops, ImageNet normalisation), the encoder
(vit_large, RoPE) inside ClipAggregation (all segments × views in one batch, tokens of a view's segments concatenated),
AttentiveClassifier (16 heads, depth 4, 174 classes) per view, and the mean of the views' softmax, as eval.py's
run_one_epoch. The frames are decoded by ffmpeg (the official loader needs decord, not packaged here) at the windows of
the official partition rule without the random placement (each segment's window ends at its partition's end).
torch 1.13 lacks F.scaled_dot_product_attention: shimmed here with the plain formula (never in the official code); timm
(drop_path only) is stood in for where missing; einops must be importable.
"""
import argparse, json, os, resource, subprocess, sys, time

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--vjepa2', required=True, help='a checkout of facebookresearch/vjepa2')
p.add_argument('--video', required=True)
p.add_argument('--threads', type=int, default=1)
p.add_argument('--segments', type=int, default=2)
p.add_argument('--views', type=int, default=3)
p.add_argument('--frames', type=int, default=16)
p.add_argument('--frame-step', type=int, default=4)
p.add_argument('--px', type=int, default=256)
p.add_argument('--classes', type=int, default=174)
args = p.parse_args()
if not os.path.isfile(os.path.join(args.vjepa2, 'evals/video_classification_frozen/utils.py')):
    p.error(f'--vjepa2: expected a facebookresearch/vjepa2 checkout, received {args.vjepa2}')
for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
    os.environ[var] = str(args.threads)
started = time.perf_counter()
sys.path.insert(0, args.vjepa2)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_shims  # noqa: E402

torch_shims.install()
import src.models.vision_transformer as vit  # noqa: E402
from src.models.attentive_pooler import AttentiveClassifier  # noqa: E402
from evals.video_classification_frozen.modelcustom.vit_encoder_multiclip import ClipAggregation  # noqa: E402
from evals.video_classification_frozen.utils import make_transforms  # noqa: E402

encoder = ClipAggregation(vit.vit_large(img_size=args.px, patch_size=16, num_frames=args.frames, tubelet_size=2, use_sdpa=True,
                                        use_rope=True), tubelet_size=2).eval()
classifier = AttentiveClassifier(embed_dim=1024, num_heads=16, depth=4, num_classes=args.classes).eval()
transform = make_transforms(training=False, num_views_per_clip=args.views, crop_size=args.px)
built = time.perf_counter()

# frames: ffmpeg decodes every frame to RGB; each segment's window is the official partition's last clip_len frames
t0 = time.perf_counter()
probe = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0',
                        args.video], check=True, capture_output=True, text=True).stdout.split(',')
W, H = int(probe[0]), int(probe[1])
raw = subprocess.run(['ffmpeg', '-loglevel', 'error', '-i', args.video, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], check=True,
                     capture_output=True).stdout
video = np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3)
clip_len = args.frames * args.frame_step
partition = len(video) // args.segments
clips = []
for s in range(args.segments):
    end = min((s + 1) * partition, len(video)) - 1
    indices = np.linspace(max(end - clip_len + 1, 0), end, args.frames).astype(np.int64)
    clips.append([v.unsqueeze(0) for v in transform(video[indices])])  # views of [1, 3, T, H, W]
frames_ms = (time.perf_counter() - t0) * 1000

t1 = time.perf_counter()
with torch.no_grad():
    outputs = encoder(clips)  # per view: [1, segments · N, D]
    outputs = [classifier(o) for o in outputs]
    probabilities = sum(F.softmax(o, dim=1) for o in outputs) / len(outputs)  # [1, C]
models_ms = (time.perf_counter() - t1) * 1000

d, depth, hidden = 1024, 24, 4096
tokens = (args.frames // 2) * (args.px // 16) ** 2
encoder_flop = 2 * (tokens * depth * (4 * d * d + 2 * d * hidden) + depth * 2 * tokens * tokens * d + tokens * d * 2 * 16 * 16 * 3)
n = args.segments * tokens  # tokens into the probe per view
probe_flop = 2 * (3 * (n * (4 * d * d + 2 * d * 4 * d) + 2 * n * n * d) + n * 2 * d * d + 2 * n * d + d * d + 2 * d * 4 * d + d * args.classes)
flop = args.segments * args.views * encoder_flop + args.views * probe_flop
top = torch.topk(probabilities[0], 5)
print(json.dumps({
    'impl': 'official-vjepa2', 'what': 'video classification, SSv2 protocol', 'torch': torch.__version__, 'threads': args.threads,
    'video': {'frames': len(video), 'height': H, 'width': W}, 'clips': args.segments * args.views,
    'wall_s': round(time.perf_counter() - started, 2), 'build_ms': round((built - started) * 1000), 'frames_ms': round(frames_ms),
    'models_ms': round(models_ms), 'gflops': round(flop / models_ms / 1e6, 1),
    'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    'top5': [[int(i), round(float(v), 6)] for v, i in zip(top.values, top.indices)],
}))
