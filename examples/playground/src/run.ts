/**
 * The run: jobs one at a time (a training frame, a single step, a reset; resets never interleave
 * with a step), rebuilding the session from the controls, training steps, and the animation loop.
 */
import { readSettings, stepsPerFrame, updateButtons } from './controls';
import { ui } from './dom';
import { createSession } from './session';
import { app, state } from './state';
import { render, renderDue, updateStats } from './view';

const SEED = 1;

let queue: Promise<void> = Promise.resolve();
let busy = false;

/** Runs `job` after the jobs before it; an error pauses training and is shown. */
export function enqueue(job: () => Promise<void>): Promise<void> {
  busy = true;
  queue = queue
    .then(job)
    .catch((e: unknown) => fail(e))
    .finally(() => {
      busy = false;
    });
  return queue;
}

/** Shows an error and pauses training. */
export function fail(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  state.error = message;
  state.running = false;
  ui.error.textContent = message;
  console.error('playground:', e);
  updateButtons();
}

/** Disposes the current run and builds a new one from the controls' settings. */
export async function rebuild(): Promise<void> {
  app.session?.dispose();
  app.session = undefined;
  app.lastViews = undefined;
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
  app.session = await createSession(settings, SEED);
  if (!app.session) state.running = false; // nothing drawn yet
  await render();
  updateButtons();
}

/** Restarts training with the current settings; a running session keeps running. */
export function restart(): void {
  void enqueue(rebuild);
}

let speedWindow: { t: number; steps: number }[] = [];
/** Trains `n` steps (fewer at `?stopAt`), recording losses and speed. */
export async function trainSteps(n: number): Promise<void> {
  const session = app.session;
  if (!session) return;
  if (state.step < app.stopAt) n = Math.min(n, app.stopAt - state.step);
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
  if (state.running && state.step === app.stopAt) {
    state.running = false;
    updateButtons();
  }
}

/** The animation loop: N training steps, then one redraw, per frame while running. */
export function frame(): void {
  if (state.running && !busy && app.session) {
    void enqueue(async () => {
      if (!state.running || !app.session) return;
      await trainSteps(stepsPerFrame());
      // Redraw at most every RENDER_INTERVAL_MS while running (the views cost about as much as a
      // few training steps); always when training has just stopped.
      if (!state.running || renderDue()) await render();
      else updateStats();
    });
  }
  requestAnimationFrame(frame);
}
