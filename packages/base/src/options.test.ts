import { describe, expect, it } from 'vitest';
import { UsageError } from './errors';
import { checkKeys, closestKey, keyDistance, optionKeys } from './options';

describe('keyDistance', () => {
  it.each([
    ['lr', 'lr', 0],
    ['lerning_rate', 'learning_rate', 1],
    ['batchSize', 'batch_size', 0],
    ['nmu_blocks', 'num_blocks', 1], // one transposition
    ['crop', 'imageSize', 9],
  ])('%s ↔ %s = %i', (a, b, distance) => {
    expect(keyDistance(a, b)).toBe(distance);
  });
});

describe('closestKey', () => {
  const known = ['frames', 'crop', 'patch', 'tubelet'];
  it.each([
    ['frame', 'frames'],
    ['tubelett', 'tubelet'],
    ['Patch', 'patch'],
    ['imageSize', undefined],
    ['x', undefined],
  ])('%s → %s', (key, guess) => {
    expect(closestKey(key, known)).toBe(guess);
  });
  it('guesses a key that contains the typed one', () => {
    expect(closestKey('batch', ['batch_size', 'crop_size'])).toBe('batch_size');
  });
});

describe('checkKeys', () => {
  it('returns the object when every key is known, {} for undefined', () => {
    const value = { frames: 16, crop: 64 };
    expect(checkKeys('grid', value, ['frames', 'crop'])).toBe(value);
    expect(checkKeys('grid', undefined, ['frames'])).toEqual({});
  });

  it('names the unknown key, lists the known ones', () => {
    expect(() => checkKeys('grid', { frames: 16, imageSize: 64 }, ['frames', 'crop', 'patch', 'tubelet'])).toThrow(
      'grid.imageSize: expected one of the keys frames, crop, patch, tubelet, received an unknown key "imageSize". Remove it or fix its name.',
    );
  });

  it('suggests the closest key', () => {
    expect(() => checkKeys('optimization', { lerning_rate: 1e-3 }, ['learning_rate', 'weight_decay'])).toThrow(
      'optimization.lerning_rate: expected one of the keys learning_rate, weight_decay, received an unknown key "lerning_rate". Did you mean "learning_rate"?',
    );
  });

  it.each([null, 3, 'grid', [1, 2], new Float32Array(2)])('refuses %s as an object', (value) => {
    expect(() => checkKeys('options', value, ['seed'])).toThrow(UsageError);
    expect(() => checkKeys('options', value, ['seed'])).toThrow(/^options: expected an object with the keys seed, received/);
  });

  it('points a key near an alias at the known key', () => {
    expect(() => checkKeys('optimization', { lerning_rate: 1e-3 }, ['lr', 'weight_decay'], { learning_rate: 'lr' })).toThrow(
      'optimization.lerning_rate: expected one of the keys lr, weight_decay, received an unknown key "lerning_rate". Did you mean "lr"?',
    );
  });
});

describe('optionKeys', () => {
  interface Grid {
    frames?: number;
    crop: number;
  }
  it('lists every key of the type, optional ones too', () => {
    expect(optionKeys<Grid>({ frames: true, crop: true })).toEqual(['frames', 'crop']);
  });
  it('does not compile with a key left out or one the type lacks', () => {
    // @ts-expect-error `crop` is missing
    optionKeys<Grid>({ frames: true });
    // @ts-expect-error `size` is not a key of Grid
    optionKeys<Grid>({ frames: true, crop: true, size: true });
  });
});
