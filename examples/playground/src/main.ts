/**
 * The playground page: wires the controls and the drawing canvas to the run, and starts up (URL
 * presets, backend, first run). State lives in `state.ts`, the run in `run.ts`, drawing in `view.ts`.
 */
import { ensureGradients } from '@gankit/core';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend';
import { presetControls, updateButtons } from './controls';
import { ctx, ui } from './dom';
import { drawModes, fromCanvas } from './render';
import { enqueue, fail, frame, rebuild, restart, trainSteps } from './run';
import { DRAWN_STD } from './session';
import { app, state } from './state';
import { render } from './view';

export type { PlaygroundState } from './state';

// ---------------------------------------------------------------------------------------------
// Controls.
ui.start.addEventListener('click', () => {
  if (!app.session) return;
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
  app.drawn.length = 0;
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
  const last = app.drawn[app.drawn.length - 1];
  if (last && Math.hypot(last[0] - x, last[1] - y) < 0.2) return false;
  app.drawn.push([x, y]);
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
  const params = new URLSearchParams(location.search);
  const choice = presetControls(params);

  const backend = await initBackend(choice);
  state.backend = backend.name;
  state.backendReason = backend.reason;
  ui.backend.textContent = backend.name;
  ui.backendReason.textContent = `(${backend.reason})`;
  ensureGradients();
  await rebuild();
  // One tfjs-core: a tensor made by @gankit/trainer must be an instance of this page's tf.Tensor.
  if (app.session) {
    const probe = app.session.trainer.sampleLatent(1);
    state.singleTfjsCore = probe instanceof tf.Tensor;
    probe.dispose();
    if (!state.singleTfjsCore) console.error('playground: two copies of @tensorflow/tfjs-core are loaded');
  }
  state.ready = true;
  updateButtons();
  if (params.get('autostart') === '1' && app.session) {
    state.running = true;
    updateButtons();
  }
  requestAnimationFrame(frame);
}

void main().catch(fail);
