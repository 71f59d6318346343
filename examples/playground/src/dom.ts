/** The page's elements and canvas contexts, looked up once by id. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The controls, read-outs and canvases of `index.html`. */
export const ui = {
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

/** The 2-D contexts of the three canvases. */
export const ctx = {
  samples: ui.samples.getContext('2d')!,
  transport: ui.transport.getContext('2d')!,
  losses: ui.losses.getContext('2d')!,
};
