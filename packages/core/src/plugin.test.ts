import { describe, expect, it } from 'vitest';
import { GankitError } from './errors';
import { PLUGIN_API_VERSION, sortPlugins } from './plugin';

describe('sortPlugins', () => {
  it('orders by ascending order, ties in the given order', () => {
    const names = sortPlugins([{ name: 'c', order: 10 }, { name: 'a' }, { name: 'z', order: -1 }, { name: 'b' }]).map((p) => p.name);
    expect(names).toEqual(['z', 'a', 'b', 'c']);
  });
  it('rejects duplicate names, empty names and newer contract versions', () => {
    expect(() => sortPlugins([{ name: 'x' }, { name: 'x' }])).toThrow(/two plugins are named 'x'/);
    expect(() => sortPlugins([{ name: '' }])).toThrow(GankitError);
    expect(() => sortPlugins([{ name: 'future', apiVersion: PLUGIN_API_VERSION + 1 }])).toThrow(/upgrade @gankit\/core/);
  });
});
