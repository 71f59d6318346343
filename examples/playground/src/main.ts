import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { LOSS_NAMES, isLossName } from '@gankit/losses';
import { modeCoverage } from '@gankit/metrics';
import { initBackend, type BackendChoice } from './backend';
import {
  computeViews,
  createSession,
  DRAWN_STD,
  makeData,
  type DataKind,
  type RegularizerKind,
  type Session,
  type Settings,
  type ViewData,
} from './session';
import { clear, drawAxes, drawLosses, drawModes, drawPoints, drawSurface, drawTransport, fromCanvas } from './render';

/** What the page exposes on `window.__playground` for tests and curious users (read-only use). */
export interface PlaygroundState {
  /** True once the backend is up and the first run is built. */
  ready: boolean;
  /** tfjs backend in use (`webgl`, `wasm`). */
  backend: string;
  /** Why that backend. */
  backendReason: string;
  /** A tensor made inside @gankit/trainer is an instance of this page's tf.Tensor (one tfjs-core). */
  singleTfjsCore: boolean;
  /** Iterations of the current run. */
  step: number;
  running: boolean;
  /** Current settings. */
  data: DataKind;
  loss: string;
  regularizer: RegularizerKind;
  ema: boolean;
  /** Per-iteration losses of the current run. */
  losses: { discriminator: number[]; generator: number[] };
  /** The last iteration's plugin loss terms (e.g. `gradient-penalty/penalty`). */
  terms: Record<string, number>;
  /** Mode coverage of the generated points shown (computed at `coverageStep`). */
  modesCaptured: number | null;
  numModes: number | null;
  highQualityFraction: number | null;
  coverageStep: number | null;
  /** Training iterations per second, measured while running. */
  stepsPerSecond: number | null;
  /** Frames drawn so far. */
  frames: number;
  /** `tf.memory().numTensors` after the last redraw (flat while training: no leaks). */
  numTensors: number;
  /** The last error, if any (training pauses on error). */
  error: string | null;
}

declare global {
  interface Window {
    __playground: PlaygroundState;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  data: $<HTMLSelectElement>('data'),
  drawHint: $<HTMLElement>('draw-hint'),
  clearDrawing: $<HTMLButtonElement>('clear-drawing'),
  loss: $<HTMLSelectElement>('loss'),
  regularizer: $<HTMLSelectElement>('regularizer'),
  strength: $<HTMLInputElement>('reg-strength'),
  ema: $<HTMLInputElement>('ema'),
  lrG: $<HTMLInputElement>('lr-g'),
  lrD: $<HTMLInputElement>('lr-d'),
  k: $<HTMLInputElement>('k'),
  stepsPerFrame: $<HTMLInputElement>('steps-per-frame'),
  backendSelect: $<HTMLSelectElement>('backend-select'),
  start: $<HTMLButtonElement>('start'),
  pause: $<HTMLButtonElement>('pause'),
  stepButton: $<HTMLButtonElement>('step'),
  reset: $<HTMLButtonElement>('reset'),
  backend: $<HTMLElement>('backend'),
  backendReason: $<HTMLElement>('backend-reason'),
  statStep: $<HTMLElement>('stat-step'),
  statSpeed: $<HTMLElement>('stat-speed'),
  statLoss: $<HTMLElement>('stat-loss'),
  statD: $<HTMLElement>('stat-dloss'),
  statG: $<HTMLElement>('stat-gloss'),
  statModes: $<HTMLElement>('stat-modes'),
  statHq: $<HTMLElement>('stat-hq'),
  surfaceLabel: $<HTMLElement>('surface-label'),
  error: $<HTMLElement>('error'),
  samples: $<HTMLCanvasElement>('samples'),
  transport: $<HTMLCanvasElement>('transport'),
  losses: $<HTMLCanvasElement>('losses'),
};
const ctx = {
  samples: ui.samples.getContext('2d')!,
  transport: ui.transport.getContext('2d')!,
  losses: ui.losses.getContext('2d')!,
};

const state: PlaygroundState = {
  ready: false,
  backend: '',
  backendReason: '',
  singleTfjsCore: false,
  step: 0,
  running: false,
  data: 'ring',
  loss: 'non-saturating',
  regularizer: 'none',
  ema: true,
  losses: { discriminator: [], generator: [] },
  terms: {},
  modesCaptured: null,
  numModes: null,
  highQualityFraction: null,
  coverageStep: null,
  stepsPerSecond: null,
  frames: 0,
  numTensors: 0,
  error: null,
};
window.__playground = state;

const SEED = 1;
let session: Session | undefined;
const drawn: number[][] = [];
let lastViews: ViewData | undefined;

// ---------------------------------------------------------------------------------------------
// One job at a time: a training frame, a single step, a reset. Resets never interleave with a step.
let queue: Promise<void> = Promise.resolve();
let busy = false;
function enqueue(job: () => Promise<void>): Promise<void> {
  busy = true;
  queue = queue
    .then(job)
    .catch((e: unknown) => fail(e))
    .finally(() => {
      busy = false;
    });
  return queue;
}

function fail(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  state.error = message;
  state.running = false;
  ui.error.textContent = message;
  console.error('playground:', e);
  updateButtons();
}

// ---------------------------------------------------------------------------------------------
// Settings from the controls.
function numberFrom(input: HTMLInputElement, fallback: number, min: number, max: number): number {
  const v = Number(input.value);
  return Number.isFinite(v) && v >= min && v <= max ? v : fallback;
}

function readSettings(): Settings {
  const loss = ui.loss.value;
  return {
    data: ui.data.value as DataKind,
    drawn: drawn.map((p) => [...p]),
    loss: isLossName(loss) ? loss : 'non-saturating',
    regularizer: ui.regularizer.value as RegularizerKind,
    strength: numberFrom(ui.strength, 1, 0, 1000),
    ema: ui.ema.checked,
    lrG: numberFrom(ui.lrG, 1e-3, 1e-7, 1),
    lrD: numberFrom(ui.lrD, 1e-3, 1e-7, 1),
    k: Math.round(numberFrom(ui.k, 1, 1, 10)),
  };
}

function stepsPerFrame(): number {
  return Math.round(numberFrom(ui.stepsPerFrame, 5, 1, 100));
}

// ---------------------------------------------------------------------------------------------
// Runs.
async function rebuild(): Promise<void> {
  session?.dispose();
  session = undefined;
  lastViews = undefined;
  const settings = readSettings();
  Object.assign(state, {
    step: 0,
    data: settings.data,
    loss: settings.loss,
    regularizer: settings.regularizer,
    ema: settings.ema,
    losses: { discriminator: [], generator: [] },
    terms: {},
    modesCaptured: null,
    numModes: null,
    highQualityFraction: null,
    coverageStep: null,
    stepsPerSecond: null,
    error: null,
  });
  ui.error.textContent = '';
  session = await createSession(settings, SEED);
  if (!session) state.running = false; // nothing drawn yet
  await render();
  updateButtons();
}

/** Restarts training with the current settings; a running session keeps running. */
function restart(): void {
  void enqueue(rebuild);
}

/** `?stopAt=N`: pause when the run reaches step N (reproducible screenshots and tests). */
let stopAt = Infinity;

let speedWindow: { t: number; steps: number }[] = [];
async function trainSteps(n: number): Promise<void> {
  if (!session) return;
  if (state.step < stopAt) n = Math.min(n, stopAt - state.step);
  for (let i = 0; i < n; i++) {
    const logs = await session.trainer.step();
    state.losses.discriminator.push(logs.discriminatorLoss);
    state.losses.generator.push(logs.generatorLoss);
    state.terms = logs.terms;
    state.step = session.trainer.iteration;
  }
  const now = performance.now();
  speedWindow.push({ t: now, steps: state.step });
  speedWindow = speedWindow.filter((s) => now - s.t < 2000);
  const first = speedWindow[0];
  if (speedWindow.length > 1 && now > first.t) state.stepsPerSecond = ((state.step - first.steps) * 1000) / (now - first.t);
  if (state.running && state.step === stopAt) {
    state.running = false;
    updateButtons();
  }
}

/** Minimum time between two redraws while training runs. */
const RENDER_INTERVAL_MS = 100;
let lastRenderAt = -Infinity;

async function render(): Promise<void> {
  lastRenderAt = performance.now();
  const s = session;
  if (s) {
    lastViews = await computeViews(s);
    const cov = modeCoverage({ data: lastViews.samples, dim: 2 }, s.data.modes, s.data.std);
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
  const s = session;
  const v = lastViews;
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

function updateStats(): void {
  const d = state.losses.discriminator;
  const g = state.losses.generator;
  ui.statStep.textContent = String(state.step);
  ui.statSpeed.textContent = state.stepsPerSecond == null ? '–' : `${state.stepsPerSecond.toFixed(1)} steps/s`;
  ui.statLoss.textContent = state.loss;
  ui.statD.textContent = fmt(d[d.length - 1]);
  ui.statG.textContent = fmt(g[g.length - 1]);
  ui.statModes.textContent = state.modesCaptured == null ? '–' : `${state.modesCaptured} / ${state.numModes}`;
  ui.statHq.textContent = state.highQualityFraction == null ? '–' : `${(100 * state.highQualityFraction).toFixed(1)} %`;
  ui.surfaceLabel.textContent = session ? (session.probabilistic ? '· heat: σ(D(x))' : '· heat: D(x), scaled') : '';
}

function updateButtons(): void {
  const can = state.ready && session !== undefined;
  ui.start.disabled = !can || state.running;
  ui.pause.disabled = !state.running;
  ui.stepButton.disabled = !can || state.running;
  ui.reset.disabled = !state.ready;
  ui.drawHint.hidden = ui.data.value !== 'draw';
  ui.samples.classList.toggle('drawing', ui.data.value === 'draw');
  ui.strength.disabled = ui.regularizer.value === 'none' || ui.regularizer.value === 'sn';
}

// ---------------------------------------------------------------------------------------------
// The animation loop: N training steps, then one redraw, per frame while running.
function frame(): void {
  if (state.running && !busy && session) {
    void enqueue(async () => {
      if (!state.running || !session) return;
      await trainSteps(stepsPerFrame());
      // Redraw at most every RENDER_INTERVAL_MS while running (the views cost about as much as a
      // few training steps); always when training has just stopped.
      if (!state.running || performance.now() - lastRenderAt >= RENDER_INTERVAL_MS) await render();
      else updateStats();
    });
  }
  requestAnimationFrame(frame);
}

// ---------------------------------------------------------------------------------------------
// Controls.
ui.start.addEventListener('click', () => {
  if (!session) return;
  state.running = true;
  updateButtons();
});
ui.pause.addEventListener('click', () => {
  state.running = false;
  updateButtons();
});
ui.stepButton.addEventListener('click', () => {
  void enqueue(async () => {
    await trainSteps(1);
    await render();
  });
});
ui.reset.addEventListener('click', restart);
for (const el of [ui.data, ui.loss, ui.regularizer, ui.strength, ui.ema, ui.lrG, ui.lrD, ui.k]) {
  el.addEventListener('change', () => {
    updateButtons();
    restart();
  });
}
ui.backendSelect.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('backend', ui.backendSelect.value);
  location.href = url.toString();
});
ui.clearDrawing.addEventListener('click', () => {
  drawn.length = 0;
  restart();
});

// Drawing modes: click to place one, drag to place a trail (spaced at least 0.2 apart).
let drawing = false;
function place(ev: PointerEvent): boolean {
  const r = ui.samples.getBoundingClientRect();
  const [x, y] = fromCanvas(
    ui.samples,
    ((ev.clientX - r.left) / r.width) * ui.samples.width,
    ((ev.clientY - r.top) / r.height) * ui.samples.height,
  );
  const last = drawn[drawn.length - 1];
  if (last && Math.hypot(last[0] - x, last[1] - y) < 0.2) return false;
  drawn.push([x, y]);
  // Show the new centre at once; training restarts when the stroke ends.
  drawModes(ctx.samples, [[x, y]], DRAWN_STD);
  return true;
}
ui.samples.addEventListener('pointerdown', (ev) => {
  if (ui.data.value !== 'draw') return;
  drawing = true;
  ui.samples.setPointerCapture(ev.pointerId);
  place(ev);
});
ui.samples.addEventListener('pointermove', (ev) => {
  if (drawing) place(ev);
});
const endStroke = () => {
  if (!drawing) return;
  drawing = false;
  restart();
};
ui.samples.addEventListener('pointerup', endStroke);
ui.samples.addEventListener('pointercancel', endStroke);

// ---------------------------------------------------------------------------------------------
// Start-up.
async function main(): Promise<void> {
  for (const name of LOSS_NAMES) ui.loss.add(new Option(name, name, name === 'non-saturating', name === 'non-saturating'));
  const params = new URLSearchParams(location.search);
  const wanted = params.get('backend');
  const choice: BackendChoice = wanted === 'webgl' || wanted === 'wasm' ? wanted : 'auto';
  ui.backendSelect.value = choice;
  const loss = params.get('loss');
  if (loss && isLossName(loss)) ui.loss.value = loss;
  const data = params.get('data');
  if (data && ['ring', 'grid', 'spiral', 'draw'].includes(data)) ui.data.value = data;
  const reg = params.get('regularizer');
  if (reg && ['none', 'gp', 'sn', 'r1'].includes(reg)) ui.regularizer.value = reg;
  if (params.get('ema') === '0') ui.ema.checked = false;
  const spf = params.get('stepsPerFrame');
  if (spf) ui.stepsPerFrame.value = spf;
  const stop = Number(params.get('stopAt'));
  if (Number.isInteger(stop) && stop > 0) stopAt = stop;

  const backend = await initBackend(choice);
  state.backend = backend.name;
  state.backendReason = backend.reason;
  ui.backend.textContent = backend.name;
  ui.backendReason.textContent = `(${backend.reason})`;
  ensureGradients();
  await rebuild();
  // One tfjs-core: a tensor made by @gankit/trainer must be an instance of this page's tf.Tensor.
  if (session) {
    const probe = session.trainer.sampleLatent(1);
    state.singleTfjsCore = probe instanceof tf.Tensor;
    probe.dispose();
    if (!state.singleTfjsCore) console.error('playground: two copies of @tensorflow/tfjs-core are loaded');
  }
  state.ready = true;
  updateButtons();
  if (params.get('autostart') === '1' && session) {
    state.running = true;
    updateButtons();
  }
  requestAnimationFrame(frame);
}

void main().catch(fail);
