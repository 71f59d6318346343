/**
 * The controls: the settings they hold, which of them are enabled, and the URL parameters that
 * preset them.
 */
import { LOSS_NAMES, isLossName } from '@gankit/losses';
import type { BackendChoice } from './backend';
import { ui } from './dom';
import type { DataKind, RegularizerKind, Settings } from './session';
import { app, state } from './state';

function numberFrom(input: HTMLInputElement, fallback: number, min: number, max: number): number {
  const v = Number(input.value);
  return Number.isFinite(v) && v >= min && v <= max ? v : fallback;
}

/** The run settings the controls hold (out-of-range numbers fall back to their defaults). */
export function readSettings(): Settings {
  const loss = ui.loss.value;
  return {
    data: ui.data.value as DataKind,
    drawn: app.drawn.map((p) => [...p]),
    loss: isLossName(loss) ? loss : 'non-saturating',
    regularizer: ui.regularizer.value as RegularizerKind,
    strength: numberFrom(ui.strength, 1, 0, 1000),
    ema: ui.ema.checked,
    lrG: numberFrom(ui.lrG, 1e-3, 1e-7, 1),
    lrD: numberFrom(ui.lrD, 1e-3, 1e-7, 1),
    k: Math.round(numberFrom(ui.k, 1, 1, 10)),
  };
}

/** Training steps per animation frame. */
export function stepsPerFrame(): number {
  return Math.round(numberFrom(ui.stepsPerFrame, 5, 1, 100));
}

/** Enables the buttons and fields that make sense now. */
export function updateButtons(): void {
  const can = state.ready && app.session !== undefined;
  ui.start.disabled = !can || state.running;
  ui.pause.disabled = !state.running;
  ui.stepButton.disabled = !can || state.running;
  ui.reset.disabled = !state.ready;
  ui.drawHint.hidden = ui.data.value !== 'draw';
  ui.samples.classList.toggle('drawing', ui.data.value === 'draw');
  ui.strength.disabled = ui.regularizer.value === 'none' || ui.regularizer.value === 'sn';
}

/**
 * Fills the loss list, presets the controls from the URL (`backend`, `loss`, `data`,
 * `regularizer`, `ema=0`, `stepsPerFrame`, `stopAt`) and returns the backend asked for.
 */
export function presetControls(params: URLSearchParams): BackendChoice {
  for (const name of LOSS_NAMES) ui.loss.add(new Option(name, name, name === 'non-saturating', name === 'non-saturating'));
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
  if (Number.isInteger(stop) && stop > 0) app.stopAt = stop;
  return choice;
}
