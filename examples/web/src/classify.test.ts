import { describe, expect, it } from 'vitest';
import { protocolOverrides } from './classify';

describe('the address protocol overrides of the classifier panel', () => {
  it('reads each classify- field as a positive integer, and leaves the rest of the address alone', () => {
    const search = new URLSearchParams('backend=wasm&classify-mode=hf&classify-segments=1&classify-views=1&classify-frame-step=2&classify-frames=8&classify-resolution=224');
    expect(protocolOverrides(search)).toEqual({ segments: 1, views: 1, frameStep: 2, frames: 8, resolution: 224 });
    expect(protocolOverrides(new URLSearchParams('sample=none'))).toEqual({});
  });

  it('refuses an unknown classify- parameter and a value that is not a positive integer, naming them', () => {
    expect(() => protocolOverrides(new URLSearchParams('classify-segmnts=1'))).toThrow(
      'address parameter classify-segmnts: expected one of classify-mode, classify-resolution, classify-frames, classify-frame-step, classify-segments, classify-views; received classify-segmnts=1',
    );
    expect(() => protocolOverrides(new URLSearchParams('classify-views=0'))).toThrow('address parameter classify-views: expected a positive integer, received "0"');
    expect(() => protocolOverrides(new URLSearchParams('classify-frames=2.5'))).toThrow('received "2.5"');
  });
});
