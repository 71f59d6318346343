/**
 * What the page shows: the samples over D's surface, the transport of the latent grid, the loss
 * curves and the read-outs, redrawn from the current run.
 */
import { modeCoverage } from '@gankit/metrics';
import * as tf from '@tensorflow/tfjs-core';
import { readSettings } from './controls';
import { ctx, ui } from './dom';
import { clear, drawAxes, drawLosses, drawModes, drawPoints, drawSurface, drawTransport } from './render';
import { computeViews, makeData } from './session';
import { app, state } from './state';

/** Minimum time between two redraws while training runs. */
const RENDER_INTERVAL_MS = 100;
let lastRenderAt = -Infinity;

/** Whether the last redraw is at least {@link RENDER_INTERVAL_MS} old. */
export function renderDue(): boolean {
  return performance.now() - lastRenderAt >= RENDER_INTERVAL_MS;
}

/** Computes the current run's views and mode coverage, then redraws everything. */
export async function render(): Promise<void> {
  lastRenderAt = performance.now();
  const s = app.session;
  if (s) {
    app.lastViews = await computeViews(s);
    const cov = modeCoverage({ data: app.lastViews.samples, dim: 2 }, s.data.modes, s.data.std);
    state.modesCaptured = cov.modesCaptured;
    state.numModes = cov.numModes;
    state.highQualityFraction = cov.highQualityFraction;
    state.coverageStep = state.step;
  }
  drawViews();
  state.frames++;
  state.numTensors = tf.memory().numTensors;
}

function drawViews(): void {
  const s = app.session;
  const v = app.lastViews;
  // Samples and D.
  clear(ctx.samples);
  if (s && v) drawSurface(ctx.samples, v.surface, s.probabilistic);
  drawAxes(ctx.samples);
  const data = s?.data ?? makeData(readSettings());
  if (data) drawModes(ctx.samples, data.modes, data.std);
  else if (ui.data.value === 'draw') {
    ctx.samples.fillStyle = '#8a93a8';
    ctx.samples.font = '14px system-ui, sans-serif';
    ctx.samples.fillText('click or drag here to place modes', 90, 200);
  }
  if (s) drawPoints(ctx.samples, s.real, '#e4e7ef', 3);
  if (v) drawPoints(ctx.samples, v.samples, '#ff9a3c', 2);
  // Transport of the latent grid.
  clear(ctx.transport);
  drawAxes(ctx.transport);
  if (s) drawPoints(ctx.transport, s.real, '#5a5f6b', 2);
  if (v) drawTransport(ctx.transport, v.transport);
  // Losses.
  drawLosses(
    ctx.losses,
    [
      { values: state.losses.discriminator, colour: '#4fd1b5' },
      { values: state.losses.generator, colour: '#ff9a3c' },
    ],
    state.step,
  );
  updateStats();
}

function fmt(v: number | undefined, digits = 3): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** Updates the read-outs: step, speed, losses, mode coverage. */
export function updateStats(): void {
  const d = state.losses.discriminator;
  const g = state.losses.generator;
  ui.statStep.textContent = String(state.step);
  ui.statSpeed.textContent = state.stepsPerSecond == null ? '–' : `${state.stepsPerSecond.toFixed(1)} steps/s`;
  ui.statLoss.textContent = state.loss;
  ui.statD.textContent = fmt(d[d.length - 1]);
  ui.statG.textContent = fmt(g[g.length - 1]);
  ui.statModes.textContent = state.modesCaptured == null ? '–' : `${state.modesCaptured} / ${state.numModes}`;
  ui.statHq.textContent = state.highQualityFraction == null ? '–' : `${(100 * state.highQualityFraction).toFixed(1)} %`;
  ui.surfaceLabel.textContent = app.session ? (app.session.probabilistic ? '· heat: σ(D(x))' : '· heat: D(x), scaled') : '';
}
