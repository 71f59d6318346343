import { describe, expect, it } from 'vitest';
import { canonicalJson } from './json';

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, and parses back to the same value', () => {
    const a = { b: [3, { z: 1, a: 'x' }], a: { d: null, c: true } };
    const b = { a: { c: true, d: null }, b: [3, { a: 'x', z: 1 }] };
    expect(canonicalJson(a)).toBe('{"a":{"c":true,"d":null},"b":[3,{"a":"x","z":1}]}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(JSON.parse(canonicalJson(a))).toEqual(b);
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson(undefined)).toBe('null');
  });
});
