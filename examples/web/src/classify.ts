import {
  HF_CONFIG,
  buildVjepa2Classifier,
  classifyVjepa2Video,
  openHfVjepa2Files,
  readAll,
  type Vjepa2Classification,
  type Vjepa2Classifier,
  type Vjepa2ClassifyProtocol,
  type Vjepa2VideoFrames,
} from '@vjepa/official/vjepa2';
import type { DecodedVideo } from './decode';

// A dropped Hugging Face V-JEPA 2 classifier (its folder's files: config.json + model.safetensors, or the
// index and its shards) classifies the page's video by the probe's protocol (`@vjepa/official/vjepa2`,
// the same code as `vjepa classify`), and the page shows the top 5 with timings.

/** What the page classified last, for the e2e test. */
export interface ClassifyResult {
  status: 'running' | 'done' | 'error';
  error?: string;
  source?: string;
  mode?: 'official' | 'hf';
  protocol?: Vjepa2ClassifyProtocol;
  top?: Vjepa2Classification['top'];
  probabilities?: number[];
  segments?: number[][];
  timings?: { read: number; frames: number; model: number };
  /** The video's frame count and size, and the RGB frames of each segment as read (base64), to run the same in Node. */
  video?: { numFrames: number; height: number; width: number };
  segmentFramesBase64?: () => string[];
}

declare global {
  interface Window {
    vjepaClassify?: ClassifyResult;
  }
}

/** Whether dropped files are a Hugging Face folder's: a `config.json` and safetensors weights. */
export function isHfClassifierDrop(files: readonly File[]): boolean {
  return files.some((f) => f.name === HF_CONFIG) && files.some((f) => f.name.endsWith('.safetensors'));
}

/** The decoded frames as a frame source, recording what each segment read. */
function recordingFrames(decoded: DecodedVideo, reads: Uint8Array[]): Vjepa2VideoFrames {
  const { width, height } = decoded;
  const size = width * height * 3;
  return {
    name: decoded.name,
    numFrames: decoded.frames.length,
    read: async (indices) => {
      const frames = new Uint8Array(indices.length * size);
      indices.forEach((index, t) => frames.set(decoded.frames[index], t * size));
      reads.push(frames);
      return { frames, height, width };
    },
  };
}

/** The address's protocol overrides: `classify-` + `resolution`, `frames`, `frame-step`, `segments`, `views`. */
export const PROTOCOL_PARAMETERS = {
  'classify-resolution': 'resolution',
  'classify-frames': 'frames',
  'classify-frame-step': 'frameStep',
  'classify-segments': 'segments',
  'classify-views': 'views',
} as const satisfies Record<string, keyof Vjepa2ClassifyProtocol>;

/**
 * The protocol fields the address overrides (`?classify-segments=1&classify-views=1` classifies one clip of
 * a two-segment, three-view probe), each a positive integer; any other `classify-` parameter but
 * `classify-mode` is an error naming the known ones.
 */
export function protocolOverrides(search: URLSearchParams): Partial<Pick<Vjepa2ClassifyProtocol, (typeof PROTOCOL_PARAMETERS)[keyof typeof PROTOCOL_PARAMETERS]>> {
  const overrides: Partial<Record<(typeof PROTOCOL_PARAMETERS)[keyof typeof PROTOCOL_PARAMETERS], number>> = {};
  for (const [key, value] of search) {
    if (!key.startsWith('classify-') || key === 'classify-mode') continue;
    const field = PROTOCOL_PARAMETERS[key as keyof typeof PROTOCOL_PARAMETERS];
    if (field === undefined) throw new Error(`address parameter ${key}: expected one of classify-mode, ${Object.keys(PROTOCOL_PARAMETERS).join(', ')}; received ${key}=${value}`);
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`address parameter ${key}: expected a positive integer, received ${JSON.stringify(value)}`);
    overrides[field] = number;
  }
  return overrides;
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** The classifier panel: loads dropped files, classifies the current video, shows the top 5. */
export function mountClassifier(panel: HTMLElement, backend: () => string, video: () => DecodedVideo | undefined) {
  let classifier: Vjepa2Classifier | undefined;
  let source = '';
  let readMs = 0;
  let queue: Promise<void> = Promise.resolve();

  const show = (lines: string[]) => {
    panel.replaceChildren(...lines.map((text) => Object.assign(document.createElement('p'), { textContent: text })));
  };
  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    show([`classifier: error: ${message}`]);
    window.vjepaClassify = { status: 'error', error: message };
  };

  async function classifyOnce(): Promise<void> {
    const decoded = video();
    if (!classifier || !decoded) return;
    window.vjepaClassify = { status: 'running', source };
    show([`classifier ${source}: classifying ${decoded.name}…`]);
    const reads: Uint8Array[] = [];
    const result = await classifyVjepa2Video(classifier, recordingFrames(decoded, reads), {
      topK: 5,
      syncEachClip: backend() !== 'webgpu',
      onClip: (p) => show([`classifier ${source}: clip ${p.index}/${p.total} (segment ${p.segment + 1}, view ${p.view + 1})…`]),
    });
    const { protocol, mode } = classifier;
    const timings = { read: readMs, frames: Math.round(result.timings.frames), model: Math.round(result.timings.model) };
    const table = document.createElement('table');
    table.id = 'classifier-top';
    for (const [rank, p] of result.top.entries()) {
      const tr = table.insertRow();
      tr.insertCell().textContent = String(rank + 1);
      tr.insertCell().textContent = `${(100 * p.probability).toFixed(2)} %`;
      tr.insertCell().textContent = p.label;
    }
    const heading = Object.assign(document.createElement('h3'), { textContent: `V-JEPA 2 classifier (${source}): top 5 of ${decoded.name}` });
    const detail = Object.assign(document.createElement('p'), {
      textContent: `${mode} probe, ${protocol.segments} segment(s) × ${protocol.views} view(s) of ${protocol.frames}×${protocol.frameStep} frames at ${protocol.resolution} px · read weights ${timings.read} ms · frames ${timings.frames} ms · models ${timings.model} ms (backend ${backend()})`,
    });
    panel.replaceChildren(heading, detail, table);
    window.vjepaClassify = {
      status: 'done', source, mode, protocol, top: result.top, probabilities: Array.from(result.probabilities), segments: result.segments, timings,
      video: { numFrames: decoded.frames.length, height: decoded.height, width: decoded.width },
      segmentFramesBase64: () => reads.map(base64),
    };
  }

  /** Classifies the current video again (after a new video is decoded); calls queue up. */
  const refresh = (): Promise<void> => (queue = queue.then(classifyOnce).catch(fail));

  /**
   * Reads the dropped folder's files (`?classify-mode=hf`: transformers' differences; `?classify-segments=…`
   * and the other {@link PROTOCOL_PARAMETERS}: protocol overrides), then classifies.
   */
  async function use(files: readonly File[]): Promise<void> {
    window.vjepaClassify = { status: 'running' };
    const search = new URLSearchParams(location.search);
    const mode = search.get('classify-mode') === 'hf' ? 'hf' : 'official';
    const overrides = protocolOverrides(search);
    const start = performance.now();
    const bytes = new Map(await Promise.all(files.map(async (f) => [f.name, new Uint8Array(await f.arrayBuffer())] as const)));
    const opened = openHfVjepa2Files(bytes, {}, 'dropped folder');
    let weights;
    try {
      weights = { arch: opened.arch, source: opened.source, labels: opened.arch.labels, encoder: opened.encoder && readAll(opened.encoder), probe: opened.probe && readAll(opened.probe) };
    } finally {
      opened.close();
    }
    const next = buildVjepa2Classifier(weights, { mode, ...overrides });
    classifier?.dispose();
    classifier = next;
    readMs = Math.round(performance.now() - start);
    source = `${files.length} files: ${files.map((f) => f.name).join(', ')}`;
    await refresh();
  }

  return { use: (files: readonly File[]) => use(files).catch(fail), refresh };
}
