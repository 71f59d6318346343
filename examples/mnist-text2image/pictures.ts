// The pictures of mnist-text2image: captions beside their samples, and interpolations between two
// captions, as SVG (the samples embedded as one PNG, the captions as text) and as plain PNG.
import { escapeXml, imageGrid } from '@gankit/report';
import type * as tf from '@tensorflow/tfjs-core';

const CELL = 28;
const PAD = 2;
const ZOOM = 2;

/** Width or height in pixels of `n` cells of an image grid (padding 2 around every cell). */
const span = (n: number) => n * CELL + (n + 1) * PAD;

function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function pngImage(png: Uint8Array, x: number, y: number, w: number, h: number): string {
  const href = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  return `<image x="${x}" y="${y}" width="${w}" height="${h}" style="image-rendering:pixelated" href="${href}"/>`;
}

/**
 * A table of samples: one row per `rowLabels` entry, and column groups headed by `columnLabels`
 * (each group `perCell` samples wide); images in row-major order. Returns the PNG of the samples
 * and an SVG with the labels around it.
 */
export function captionTable(
  images: tf.Tensor,
  rowLabels: readonly string[],
  columnLabels: readonly string[],
  perCell: number,
  title: string,
): { png: Uint8Array; svg: string } {
  const cols = columnLabels.length * perCell;
  const png = imageGrid(images, { cols, rows: rowLabels.length });
  const left = 70;
  const top = 64;
  const w = span(cols) * ZOOM;
  const h = span(rowLabels.length) * ZOOM;
  const body = [`<text x="${left}" y="18" font-weight="bold">${escapeXml(title)}</text>`, pngImage(png, left, top, w, h)];
  columnLabels.forEach((label, c) => {
    const x = left + (PAD + c * perCell * (CELL + PAD) + (perCell * (CELL + PAD) - PAD) / 2) * ZOOM;
    const [first, ...rest] = label.split(', ');
    body.push(`<text x="${x}" y="${top - 22}" text-anchor="middle">${escapeXml(first)}</text>`);
    if (rest.length) body.push(`<text x="${x}" y="${top - 6}" text-anchor="middle">${escapeXml(rest.join(', '))}</text>`);
  });
  rowLabels.forEach((label, r) => {
    const y = top + (PAD + r * (CELL + PAD) + CELL / 2) * ZOOM + 4;
    body.push(`<text x="${left - 8}" y="${y}" text-anchor="end">${escapeXml(label)}</text>`);
  });
  return { png, svg: svgDocument(left + w + 10, top + h + 10, body) };
}

/**
 * Interpolations: one row per caption pair, `steps` samples from the first caption (left) to the
 * second (right), the captions written at both ends.
 */
export function interpolationTable(
  images: tf.Tensor,
  pairs: readonly (readonly [string, string])[],
  steps: number,
  title: string,
): { png: Uint8Array; svg: string } {
  const png = imageGrid(images, { cols: steps, rows: pairs.length });
  const left = 215;
  const top = 30;
  const w = span(steps) * ZOOM;
  const h = span(pairs.length) * ZOOM;
  const body = [`<text x="10" y="18" font-weight="bold">${escapeXml(title)}</text>`, pngImage(png, left, top, w, h)];
  pairs.forEach(([from, to], r) => {
    const y = top + (PAD + r * (CELL + PAD) + CELL / 2) * ZOOM + 4;
    body.push(`<text x="${left - 8}" y="${y}" text-anchor="end">${escapeXml(from)}</text>`);
    body.push(`<text x="${left + w + 8}" y="${y}">${escapeXml(to)}</text>`);
  });
  return { png, svg: svgDocument(left + w + 215, top + h + 10, body) };
}
