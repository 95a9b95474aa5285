// Measures loading the target_encoder of a ViT-L-sized checkpoint written by our own writer.
//   node --import tsx scripts/vitl-file.ts write /tmp/vitl.pth.tar   # ~1.3 GB, written once
//   /usr/bin/time -v node --import tsx scripts/vitl-file.ts load /tmp/vitl.pth.tar
// Never commit the file it writes.
import { openTorchFile, PyOrderedDict, saveTorchFile, type TorchTensor } from '../src/index';

const [mode, path] = process.argv.slice(2);
if (!path || (mode !== 'write' && mode !== 'load')) throw new Error('usage: vitl-file.ts write|load FILE');

/** Official ViT-L/16 encoder shapes (16 frames, 224 px, tubelet 2): 24 blocks of width 1024, MLP 4096. */
function vitLargeShapes(): [string, number[]][] {
  const shapes: [string, number[]][] = [
    ['module.backbone.pos_embed', [1, 1568, 1024]],
    ['module.backbone.patch_embed.proj.weight', [1024, 3, 2, 16, 16]],
    ['module.backbone.patch_embed.proj.bias', [1024]],
  ];
  for (let b = 0; b < 24; b++) {
    const p = `module.backbone.blocks.${b}`;
    shapes.push([`${p}.norm1.weight`, [1024]], [`${p}.norm1.bias`, [1024]]);
    shapes.push([`${p}.attn.qkv.weight`, [3072, 1024]], [`${p}.attn.qkv.bias`, [3072]]);
    shapes.push([`${p}.attn.proj.weight`, [1024, 1024]], [`${p}.attn.proj.bias`, [1024]]);
    shapes.push([`${p}.norm2.weight`, [1024]], [`${p}.norm2.bias`, [1024]]);
    shapes.push([`${p}.mlp.fc1.weight`, [4096, 1024]], [`${p}.mlp.fc1.bias`, [4096]]);
    shapes.push([`${p}.mlp.fc2.weight`, [1024, 4096]], [`${p}.mlp.fc2.bias`, [1024]]);
  }
  shapes.push(['module.backbone.norm.weight', [1024]], ['module.backbone.norm.bias', [1024]]);
  return shapes;
}

function stateDict(shapes: [string, number[]][], seed: number): PyOrderedDict<string, unknown> {
  const dict = new PyOrderedDict<string, unknown>();
  for (const [key, shape] of shapes) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i += 97) data[i] = ((i * 2654435761 + seed) % 1000) / 1000;
    dict.set(key, { dtype: 'F32', shape, data });
  }
  return dict;
}

if (mode === 'write') {
  const started = performance.now();
  // Predictor of the released configs: 12 blocks of width 384.
  const predictorShapes: [string, number[]][] = [];
  for (let b = 0; b < 12; b++) {
    predictorShapes.push([`module.backbone.predictor_blocks.${b}.attn.qkv.weight`, [1152, 384]], [`module.backbone.predictor_blocks.${b}.mlp.fc1.weight`, [1536, 384]], [`module.backbone.predictor_blocks.${b}.mlp.fc2.weight`, [384, 1536]]);
  }
  saveTorchFile(path, new Map<string, unknown>([
    ['predictor', stateDict(predictorShapes, 2)],
    ['target_encoder', stateDict(vitLargeShapes(), 1)],
    ['epoch', 300],
  ]));
  console.log(`wrote ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} else {
  const started = performance.now();
  const file = openTorchFile(path);
  const target = (file.root as Map<string, unknown>).get('target_encoder') as Map<string, TorchTensor>;
  const opened = performance.now();
  let bytes = 0;
  const loaded: Float32Array[] = [];
  for (const tensor of target.values()) {
    const data = tensor.readFloat32();
    bytes += data.byteLength;
    loaded.push(data);
  }
  file.close();
  const seconds = (performance.now() - started) / 1000;
  const rss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({
    tensors: loaded.length,
    tensorBytes: bytes,
    openMs: Math.round(opened - started),
    totalSeconds: Number(seconds.toFixed(2)),
    peakRssBytes: rss,
    peakRssOverTensorBytes: Number((rss / bytes).toFixed(3)),
  }));
}
