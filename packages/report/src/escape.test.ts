import { describe, it, expect } from 'vitest';
import { escapeXml } from './escape';

describe('escapeXml', () => {
  it('escapes the five markup characters and leaves the rest', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
    expect(escapeXml('plain ünïcödé 1 < 2')).toBe('plain ünïcödé 1 &lt; 2');
  });
});
