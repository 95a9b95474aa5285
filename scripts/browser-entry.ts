// The check every package with a `browser` export condition runs on its two entries: the browser entry
// exports every name of the Node entry but the Node-only ones, and both entries share one implementation
// of the names they have in common. Test support only: imported by packages' browser.test.ts files.
import { describe, expect, it } from 'vitest';

/** What {@link describeBrowserEntry} compares. */
export interface BrowserEntryCase {
  /** The module namespace of `src/browser.ts`. */
  browser: Record<string, unknown>;
  /** The module namespace of `src/index.ts`. */
  node: Record<string, unknown>;
  /** The names only the Node entry has (they need files, processes or native TensorFlow). */
  nodeOnly: readonly string[];
  /** Names whose value must be the very same object in both entries. */
  shared: readonly string[];
}

/** Declares the `browser entry` suite for one package. */
export function describeBrowserEntry({ browser, node, nodeOnly, shared }: BrowserEntryCase): void {
  describe('browser entry', () => {
    it('exports every name of the Node entry except the Node-only ones', () => {
      const expected = Object.keys(node).filter((name) => !nodeOnly.includes(name)).sort();
      expect(Object.keys(browser).sort()).toEqual(expected);
      expect(nodeOnly.filter((name) => !(name in node))).toEqual([]);
    });

    it.each(shared)('shares the implementation of %s', (name) => {
      expect(browser[name]).toBeDefined();
      expect(browser[name]).toBe(node[name]);
    });
  });
}
