/**
 * The playground's state: what the page exposes on `window.__playground` (for tests and curious
 * users) and what it keeps for itself (the current run, its last views, the drawn modes).
 */
import type { DataKind, RegularizerKind, Session, ViewData } from './session';

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

/** The page's state, also on `window.__playground`. */
export const state: PlaygroundState = {
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

/** What the page keeps besides {@link state}. */
export const app: {
  /** The current run, once built (none while nothing is drawn in `draw` mode). */
  session: Session | undefined;
  /** The views computed at the last redraw. */
  lastViews: ViewData | undefined;
  /** Mode centres placed by hand for the `draw` data. */
  drawn: number[][];
  /** `?stopAt=N`: pause when the run reaches step N (reproducible screenshots and tests). */
  stopAt: number;
} = { session: undefined, lastViews: undefined, drawn: [], stopAt: Infinity };
