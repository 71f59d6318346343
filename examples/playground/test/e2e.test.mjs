// End-to-end test of the playground in a real browser: builds the page with Vite, serves dist/ on
// 127.0.0.1, drives Debian's chromium through playwright-core and reads the page's state from
// `window.__playground`. Run with `npm run test:e2e -w @gankit-examples/playground` (node --test).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import { serveStatic } from './static-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT_DIR = path.resolve(process.env.E2E_OUT_DIR ?? path.join(root, 'out', 'e2e'));
const SCREENSHOT = path.join(root, 'screenshot.png');
const MAX_SCREENSHOT_BYTES = 300 * 1024;
/** Ring run length: long enough for the GAN to spread over the ring (~20 s on wasm here). */
const RING_STEPS = 800;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let server;
let context;
let page;
let userDataDir;
/** console errors and uncaught page errors, with the URL they happened on */
const errors = [];

const state = () => page.evaluate(() => JSON.parse(JSON.stringify({ ...window.__playground, losses: undefined })));
const losses = () => page.evaluate(() => window.__playground.losses);

/** Waits for a condition on the page's state (a function source over `s`). */
function waitFor(predicate, timeout = 60_000) {
  return page.waitForFunction(`(() => { const s = window.__playground; return !!s && (${predicate}); })()`, null, { timeout, polling: 50 });
}

/**
 * Pixel statistics of a canvas, computed in the page: the share of pixels unlike the blank
 * background, and a signature (mean RGB of each block of a 16 × 16 grid) to compare frames.
 */
function canvasPixels(id) {
  return page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const B = 16;
    const signature = new Array(B * B * 3).fill(0);
    let drawn = 0;
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const i = 4 * (y * c.width + x);
        // background #0b0e15
        if (Math.abs(d[i] - 11) + Math.abs(d[i + 1] - 14) + Math.abs(d[i + 2] - 21) > 12) drawn++;
        const b = 3 * (Math.floor((y * B) / c.height) * B + Math.floor((x * B) / c.width));
        signature[b] += d[i];
        signature[b + 1] += d[i + 1];
        signature[b + 2] += d[i + 2];
      }
    }
    const perBlock = (c.width * c.height) / (B * B);
    return { drawnFraction: drawn / (c.width * c.height), signature: signature.map((v) => v / perBlock) };
  }, id);
}

function meanAbsDiff(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

async function open(query = '') {
  await page.goto(server.url + query);
  await waitFor('s.ready === true || s.error !== null');
  const s = await state();
  assert.equal(s.error, null, `page failed to start: ${s.error}`);
  return s;
}

describe('playground in chromium', { timeout: 170_000 }, () => {
  before(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`chromium not found at ${CHROMIUM}: install it with \`sudo apt-get install chromium\` (or set CHROMIUM_PATH)`);
    }
    const t0 = Date.now();
    await build({ root, configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
    console.log(`# vite build: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    server = await serveStatic(path.join(root, 'dist'));
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-playground-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1140, height: 740 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console error on ${page.url()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`uncaught error on ${page.url()}: ${err.message}`));
    page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  });

  after(async () => {
    await context?.close();
    await server?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  it('loads without console errors, on one tfjs-core, and draws the views at step 0', async () => {
    const s = await open();
    console.log(`# backend: ${s.backend} (${s.backendReason})`);
    assert.ok(['webgl', 'wasm'].includes(s.backend), `unexpected backend ${s.backend}`);
    assert.equal(await page.textContent('#backend'), s.backend);
    assert.equal(s.singleTfjsCore, true, 'a tensor from @gankit/trainer is not an instance of the page tf.Tensor: two tfjs-core copies');
    assert.equal(s.step, 0);
    assert.equal(s.running, false);
    assert.equal(s.loss, 'non-saturating');
    // Before any training the views already show D's surface, the real points and G's samples.
    const samples = await canvasPixels('samples');
    const transport = await canvasPixels('transport');
    assert.ok(samples.drawnFraction > 0.9, `samples view mostly blank (${samples.drawnFraction})`);
    assert.ok(transport.drawnFraction > 0.01, `transport view blank (${transport.drawnFraction})`);
    assert.deepEqual(errors, []);
  });

  it('trains when started: steps advance, losses change, the canvases update', async () => {
    const before = await canvasPixels('samples');
    const lossBefore = await canvasPixels('losses');
    await page.click('#start');
    await waitFor('s.step >= 60 && s.coverageStep >= 60');
    const s = await state();
    assert.equal(s.running, true);
    assert.ok(s.stepsPerSecond > 0, 'no speed measured');
    const l = await losses();
    assert.ok(l.discriminator.length >= 60 && l.generator.length >= 60);
    assert.ok(l.discriminator.every(Number.isFinite) && l.generator.every(Number.isFinite), 'non-finite loss');
    assert.ok(new Set(l.discriminator).size > 10, 'D loss does not change');
    assert.ok(new Set(l.generator).size > 10, 'G loss does not change');
    const afterPixels = await canvasPixels('samples');
    assert.ok(meanAbsDiff(before.signature, afterPixels.signature) > 0.5, 'samples view did not change while training');
    const lossAfter = await canvasPixels('losses');
    assert.ok(lossAfter.drawnFraction > lossBefore.drawnFraction, 'no loss curves drawn');
    assert.equal(Number(await page.textContent('#stat-step')) > 0, true);
    console.log(`# ${s.backend}: ${s.stepsPerSecond.toFixed(1)} steps/s while training (5 steps per frame)`);
    assert.deepEqual(errors, []);
  });

  it('restarts training when the loss is switched', async () => {
    await page.click('#pause');
    await waitFor('s.running === false');
    const stepBefore = (await state()).step;
    assert.ok(stepBefore > 0);
    await page.selectOption('#loss', 'hinge');
    await waitFor("s.loss === 'hinge' && s.coverageStep === 0");
    let s = await state();
    assert.equal(s.step, 0);
    assert.deepEqual(await losses(), { discriminator: [], generator: [] });
    assert.equal(await page.textContent('#stat-loss'), 'hinge');
    assert.equal(await page.textContent('#stat-step'), '0');
    // The new run trains with the new loss.
    await page.click('#start');
    await waitFor('s.step >= 20');
    await page.click('#pause');
    await waitFor('s.running === false');
    s = await state();
    const l = await losses();
    assert.equal(l.discriminator.length, s.step);
    assert.ok(new Set(l.discriminator).size > 5, 'hinge D loss does not change');
    // While running, a switch restarts and keeps running.
    await page.click('#start');
    await waitFor('s.step >= 5');
    await page.selectOption('#loss', 'least-squares');
    await waitFor("s.loss === 'least-squares' && s.step >= 5");
    const snap = await page.evaluate(() => ({
      running: window.__playground.running,
      step: window.__playground.step,
      n: window.__playground.losses.discriminator.length,
    }));
    assert.equal(snap.running, true);
    assert.equal(snap.n, snap.step);
    await page.click('#pause');
    assert.deepEqual(errors, []);
  });

  it('trains with each regularizer, without EMA, and on modes drawn with the mouse', async () => {
    const expectTerm = { gp: 'gradient-penalty/penalty', sn: null, r1: 'r1/penalty' };
    await page.uncheck('#ema');
    for (const reg of ['gp', 'sn', 'r1']) {
      await page.selectOption('#regularizer', reg);
      await waitFor(`s.regularizer === '${reg}' && s.ema === false && s.coverageStep === 0`);
      await page.click('#step');
      await page.click('#step');
      await waitFor('s.step === 2 && s.coverageStep === 2');
      const s = await page.evaluate(() => ({ terms: window.__playground.terms, d: window.__playground.losses.discriminator }));
      assert.ok(s.d.every(Number.isFinite), `${reg}: non-finite D loss`);
      if (expectTerm[reg])
        assert.ok(Number.isFinite(s.terms[expectTerm[reg]]), `${reg}: no ${expectTerm[reg]} term in ${JSON.stringify(s.terms)}`);
      else assert.deepEqual(s.terms, {});
    }
    await page.selectOption('#regularizer', 'none');
    await page.check('#ema');

    // Draw: nothing to train on until the user places modes.
    await page.selectOption('#data', 'draw');
    await waitFor("s.data === 'draw' && s.regularizer === 'none' && s.ema === true");
    assert.equal((await state()).numModes, null);
    assert.equal(await page.isDisabled('#start'), true);
    const box = await page.locator('#samples').boundingBox();
    await page.mouse.click(box.x + 80, box.y + 80); // one mode
    await page.mouse.move(box.x + 240, box.y + 240);
    await page.mouse.down(); // a stroke: one mode per 0.2 units travelled
    await page.mouse.move(box.x + 320, box.y + 240, { steps: 8 });
    await page.mouse.up();
    await waitFor('s.numModes >= 3 && s.coverageStep === 0');
    const drawn = (await state()).numModes;
    assert.ok(drawn <= 1 + 1 + Math.ceil(80 / ((0.2 / 6) * 400)), `too many modes placed: ${drawn}`);
    assert.equal(await page.isDisabled('#start'), false);
    await page.click('#step');
    await waitFor('s.step === 1 && s.coverageStep === 1');
    assert.equal((await state()).numModes, drawn);
    await page.click('#clear-drawing');
    await waitFor('s.numModes === null');
    assert.equal(await page.isDisabled('#start'), true);
    assert.deepEqual(errors, []);
  });

  it(`covers the ring's modes after ${RING_STEPS} steps (wasm) and saves a screenshot`, async () => {
    await open(`?backend=wasm&data=ring&stopAt=${RING_STEPS}`);
    await waitFor('s.coverageStep === 0');
    const start = await state();
    assert.equal(start.backend, 'wasm');
    assert.equal(start.numModes, 8);
    const t0 = Date.now();
    await page.click('#start');
    await waitFor('s.coverageStep >= 100', 60_000);
    const early = await state();
    await waitFor(`s.step === ${RING_STEPS} && s.running === false && s.coverageStep === ${RING_STEPS}`, 120_000);
    const seconds = (Date.now() - t0) / 1000;
    const s = await state();
    console.log(
      `# ring, wasm: ${RING_STEPS} steps in ${seconds.toFixed(1)} s (${(RING_STEPS / seconds).toFixed(1)} steps/s incl. drawing); ` +
        `modes captured ${start.modesCaptured}/8 at step 0 -> ${s.modesCaptured}/8 at step ${RING_STEPS}, ` +
        `high quality ${(100 * start.highQualityFraction).toFixed(1)}% -> ${(100 * s.highQualityFraction).toFixed(1)}%`,
    );
    assert.equal(
      s.numTensors,
      early.numTensors,
      `tensor count grew from ${early.numTensors} (step ${early.coverageStep}) to ${s.numTensors}: a leak`,
    );
    assert.equal(await page.textContent('#stat-modes'), `${s.modesCaptured} / 8`);
    assert.ok(s.modesCaptured >= 6, `only ${s.modesCaptured}/8 modes captured after ${RING_STEPS} steps`);
    assert.ok(s.modesCaptured > start.modesCaptured, 'coverage did not improve');
    assert.ok(s.highQualityFraction > start.highQualityFraction, 'high-quality share did not improve');

    fs.mkdirSync(OUT_DIR, { recursive: true });
    const png = await page.screenshot({ type: 'png' });
    fs.writeFileSync(path.join(OUT_DIR, 'screenshot.png'), png);
    assert.ok(png.length < MAX_SCREENSHOT_BYTES, `screenshot is ${png.length} bytes (limit ${MAX_SCREENSHOT_BYTES})`);
    fs.writeFileSync(SCREENSHOT, png);
    console.log(
      `# screenshot: ${png.length} bytes -> ${path.relative(process.cwd(), SCREENSHOT)} and ${path.join(OUT_DIR, 'screenshot.png')}`,
    );
    assert.deepEqual(errors, []);
  });

  it('also trains on WebGL (software-rendered here)', async () => {
    const s0 = await open('?backend=webgl');
    assert.equal(s0.backend, 'webgl');
    assert.equal(s0.singleTfjsCore, true);
    await page.click('#start');
    await waitFor('s.step >= 10 && s.coverageStep >= 10', 60_000);
    await page.click('#pause');
    const s = await state();
    const l = await losses();
    assert.ok(l.discriminator.every(Number.isFinite) && new Set(l.discriminator).size > 3);
    console.log(`# webgl: ${s.stepsPerSecond?.toFixed(1)} steps/s`);
    assert.deepEqual(errors, []);
  });
});
