import { describe, it, expect } from 'vitest';
import { formatTick, lineChartSvg, niceTicks } from './chart';
import { checkXml } from '../test/xml';

/** The `d` attributes of the series paths. */
function paths(svg: string): string[] {
  return [...svg.matchAll(/<path class="series" d="([^"]*)"/g)].map((m) => m[1]);
}

/** The points of a path's `d`, split into sub-paths at each M. */
function subpaths(d: string): [number, number][][] {
  return d
    .split('M')
    .filter((s) => s.length > 0)
    .map((s) => s.split('L').map((p) => p.trim().split(' ').map(Number) as [number, number]));
}

describe('lineChartSvg', () => {
  const series = [
    {
      name: 'D loss',
      points: [
        [0, 1],
        [10, 2],
        [20, 1.5],
      ] as [number, number][],
    },
    {
      name: 'G <loss> & "friends"',
      points: [
        [0, 0.5],
        [20, 3],
      ] as [number, number][],
    },
  ];

  it('is well-formed with one path per series, axes, ticks and a legend', () => {
    const svg = lineChartSvg(series, { title: 'Losses', width: 500, height: 300 });
    const { tags } = checkXml(svg);
    expect(tags.get('svg')).toBe(1);
    expect(tags.get('path')).toBe(2);
    expect(paths(svg).map((d) => subpaths(d)[0].length)).toEqual([3, 2]);
    expect(svg).toContain('G &lt;loss&gt; &amp; &quot;friends&quot;');
    expect(svg).not.toContain('<loss>');
    expect(svg).toContain('>Losses</text>');
    // x ticks at round steps: 0, 5, 10, 15, 20 or 0, 10, 20.
    const labels = [...svg.matchAll(/text-anchor="middle">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toContain('0');
    expect(labels).toContain('20');
  });

  it('maps points linearly: higher values sit higher, the x extremes at the plot edges', () => {
    const svg = lineChartSvg(
      [
        {
          name: 'a',
          points: [
            [0, 0],
            [5, 10],
            [10, 5],
          ],
        },
      ],
      { width: 400, height: 200 },
    );
    const [pts] = subpaths(paths(svg)[0]);
    expect(pts[1][1]).toBeLessThan(pts[2][1]);
    expect(pts[2][1]).toBeLessThan(pts[0][1]);
    // Equal x spacing maps to equal pixel spacing.
    expect(pts[1][0] - pts[0][0]).toBeCloseTo(pts[2][0] - pts[1][0], 1);
    // y 5 sits halfway between y 0 and y 10.
    expect(pts[2][1]).toBeCloseTo((pts[0][1] + pts[1][1]) / 2, 1);
  });

  it('breaks the line at NaN and, on a log axis, at values <= 0', () => {
    const s = [
      {
        name: 'x',
        points: [
          [1, 1],
          [2, 2],
          [3, NaN],
          [4, 4],
          [5, 8],
        ] as [number, number][],
      },
    ];
    expect(subpaths(paths(lineChartSvg(s))[0]).map((p) => p.length)).toEqual([2, 2]);
    const l = [
      {
        name: 'x',
        points: [
          [1, 1],
          [2, 10],
          [3, 0],
          [4, 100],
          [5, 1000],
        ] as [number, number][],
      },
    ];
    const svg = lineChartSvg(l, { logY: true, yLabel: 'loss' });
    const parts = subpaths(paths(svg)[0]);
    expect(parts.map((p) => p.length)).toEqual([2, 2]);
    // Decades are equally spaced on a log axis.
    const ys = [parts[0][0][1], parts[0][1][1], parts[1][0][1], parts[1][1][1]];
    expect(ys[0] - ys[1]).toBeCloseTo((ys[0] - ys[3]) / 3, 1);
    for (const label of ['1', '10', '100', '1000']) expect(svg).toContain(`dominant-baseline="middle">${label}</text>`);
  });

  it('averages long series down to maxPoints', () => {
    const points = Array.from({ length: 1000 }, (_, i) => [i, i % 2] as [number, number]);
    const [pts] = subpaths(paths(lineChartSvg([{ name: 'n', points }], { maxPoints: 100 }))[0]);
    expect(pts).toHaveLength(100);
    // Buckets of 10 alternating 0/1 average to 0.5: a flat line.
    expect(new Set(pts.map((p) => p[1])).size).toBe(1);
  });

  it('draws empty axes with no series or no finite data, and is deterministic', () => {
    const empty = lineChartSvg([]);
    checkXml(empty);
    expect(empty).toContain('no data');
    const nan = lineChartSvg([{ name: 'nan', points: [[1, NaN]] }]);
    expect(paths(nan)).toEqual(['']);
    expect(lineChartSvg(series)).toBe(lineChartSvg(series));
    expect(() => lineChartSvg(series, { width: 10 })).toThrow(/at least 200/);
  });
});

describe('ticks', () => {
  it('niceTicks steps by 1, 2 or 5 × 10^k inside the range', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.13, 0.91, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-3, 1000, 3)).toEqual([0, 500, 1000]);
    expect(niceTicks(-3, 1000, 2)).toEqual([0, 1000]);
  });

  it('formatTick is compact', () => {
    expect([formatTick(1500), formatTick(15000), formatTick(2e6), formatTick(0.1 + 0.2), formatTick(0.00012), formatTick(0)]).toEqual([
      '1500',
      '15k',
      '2M',
      '0.3',
      '1.2e-4',
      '0',
    ]);
  });
});
