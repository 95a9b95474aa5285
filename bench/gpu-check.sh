#!/usr/bin/env bash
# bench/gpu-check.sh — the WebGPU check for a machine with a GPU: one command, at most 5 minutes, JSON
# lines on stdout (progress and tool output on stderr). Run from anywhere: `bash bench/gpu-check.sh`.
#
#   {"check":"machine",...}   Node, the GPU and driver nvidia-smi reports (if any)
#   {"check":"adapter",...}   the WebGPU adapter Dawn (npm `webgpu`) finds, or why there is none
#   {"check":"parity",...}    vjepa parity --backend webgpu on fixtures/reference/tiny.safetensors
#   {"backend":"webgpu",...}  vjepa bench --backends webgpu,wasm --json (bench configuration), one line each
#   {"check":"bench-vitl-v2",...}  the ViT-L V-JEPA 2 encoder forward, once the CLI can build it
#
# It installs what it needs from npm (pnpm at the pinned version, the workspace with its lockfile, which
# brings `webgpu` and `@tensorflow/tfjs-backend-webgpu`). Dawn reaches NVIDIA GPUs through Vulkan: the
# driver's Vulkan ICD (nvidia_icd.json, from the driver's GL/Vulkan libraries) must be installed, and
# libvulkan1. Set VK_ICD_FILENAMES to pick a driver; without one this prints why and exits 1.
# GPU_CHECK_BENCH=0 stops after parity (a dry run of the script on a software adapter).
set -uo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR" 2>/dev/null || true
start=$SECONDS
left() { echo $((300 - (SECONDS - start))); }
say() { echo "gpu-check: $*" >&2; }
# One JSON line from key=value pairs (values stay strings) — node is the one tool sure to be there.
line() { node -e 'const o={};for(const a of process.argv.slice(1)){const i=a.indexOf("=");o[a.slice(0,i)]=a.slice(i+1)}console.log(JSON.stringify(o))' "$@"; }
fail() { line check="$1" ok=false reason="$2"; exit 1; }

command -v node >/dev/null 2>&1 || { echo '{"check":"machine","ok":false,"reason":"node is not installed (Node 20 or later)"}'; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || fail machine "Node $(node --version) is older than 20"
gpu="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)"
line check=machine node="$(node --version)" gpu="${gpu:-none reported by nvidia-smi}" vk_icd="${VK_ICD_FILENAMES:-}"

if [ "$(pnpm --version 2>/dev/null || true)" != "12.4.2" ]; then
  say "installing pnpm 12.4.2"
  npm install -g pnpm@12.4.2 >&2 || fail install "npm install -g pnpm@12.4.2 failed"
fi
if [ ! -d node_modules/.pnpm ] || [ ! -d packages/core/node_modules/webgpu ]; then
  say "installing the workspace (pnpm install --frozen-lockfile)"
  timeout 150 pnpm install --frozen-lockfile >&2 || fail install "pnpm install --frozen-lockfile failed or took over 150 s"
fi

# The adapter, without switching backends: what `vjepa doctor` prints on its webgpu line.
adapter="$(cd packages/core && timeout 60 node --conditions=@vjepa/source --import tsx -e '
  const { findWebGpuAdapter } = await import("./src/index.ts");
  const found = await findWebGpuAdapter();
  console.log(JSON.stringify({ check: "adapter", ok: "adapter" in found, ...found }));
  process.exit(0);' 2>/dev/null | tail -1)"
[ -n "$adapter" ] || fail adapter "the adapter probe did not finish in 60 s"
echo "$adapter"
case "$adapter" in *'"ok":true'*) ;; *) exit 1 ;; esac

say "parity on webgpu ($(left) s left)"
report="$(timeout 120 node --conditions=@vjepa/source --import tsx packages/cli/src/bin.ts parity fixtures/reference/tiny.safetensors --backend webgpu 2>/dev/null)"
status=$?
printf '%s' "$report" | node -e '
  let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
    let r; try { r = JSON.parse(text); } catch { console.log(JSON.stringify({ check: "parity", ok: false, exit: Number(process.argv[1]), reason: "no report (timed out or crashed)" })); return; }
    const worst = Object.entries(r.errors).sort((a, b) => b[1] - a[1])[0];
    console.log(JSON.stringify({ check: "parity", ok: r.ok, backend: r.backend, compared: Object.keys(r.errors).length, failures: r.failures, worst: worst && { name: worst[0], error: worst[1] } }));
  });' "$status"

if [ "${GPU_CHECK_BENCH:-1}" = 0 ]; then say "GPU_CHECK_BENCH=0: no bench"; exit 0; fi
say "bench: the full training step on webgpu and wasm, bench configuration ($(left) s left)"
timeout "$(( $(left) > 150 ? 150 : $(left) ))" node --conditions=@vjepa/source --import tsx packages/cli/src/bin.ts bench --backends webgpu,wasm --runs 10 --json \
  | node -e 'require("node:readline").createInterface({ input: process.stdin }).on("line", (l) => { try { console.log(JSON.stringify({ check: "bench", config: "bench", ...JSON.parse(l) })); } catch {} })'

if node --conditions=@vjepa/source --import tsx packages/cli/src/bin.ts bench --help 2>/dev/null | grep -q -- '--model'; then
  say "bench: the ViT-L V-JEPA 2 encoder forward on webgpu ($(left) s left)"
  timeout "$(( $(left) > 20 ? $(left) - 10 : 10 ))" node --conditions=@vjepa/source --import tsx packages/cli/src/bin.ts bench --what forward --model vjepa2-vitl --batch 1 --runs 3 --backends webgpu --json \
    | node -e 'require("node:readline").createInterface({ input: process.stdin }).on("line", (l) => { try { console.log(JSON.stringify({ check: "bench-vitl-v2", ...JSON.parse(l) })); } catch {} })'
else
  line check=bench-vitl-v2 ok=false reason="vjepa bench has no --model option yet (the V-JEPA 2 models have not landed): not run"
fi
say "done in $((SECONDS - start)) s"
