import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runMain } from '../test-main';

/** The one stderr line of a refused command line, with its exit code. */
async function refused(argv: string[]): Promise<[number, string]> {
  const r = await runMain(argv);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  return [r.code, r.stderr];
}

describe('gankit --version', () => {
  it('prints the version in @gankit/cli/package.json on stdout, exit 0, as --version, -v and version', async () => {
    const { version } = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const argv of [['--version'], ['-v'], ['version']]) {
      const r = await runMain(argv);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, `${version}\n`, '']);
    }
    expect((await runMain(['--help'])).stdout).toMatch(/\n {2}gankit --version\n/);
    expect(await refused(['version', '--verbose'])).toEqual([
      2,
      "gankit version: unknown option '--verbose' (gankit version --help lists the options)\n",
    ]);
    expect(await refused(['verison'])).toEqual([
      2,
      "gankit: unknown command 'verison'; did you mean 'version'? (commands: train, sample, eval, interpolate, schema; gankit --help)\n",
    ]);
  });
});

describe('unknown options', () => {
  it('every command answers a typo with one line and the option it likely meant, exit 2', async () => {
    const cases: [string[], string][] = [
      [['train', '--stpes', '10'], "gankit train: unknown option '--stpes'; did you mean '--steps'?"],
      [['train', '--example', 'ring8', '--tensorbaord'], "gankit train: unknown option '--tensorbaord'; did you mean '--tensorboard'?"],
      [['train', '-steps', '10'], "gankit train: unknown option '-steps'; did you mean '--steps'?"],
      [['train', '--Seed=3'], "gankit train: unknown option '--Seed'; did you mean '--seed'?"],
      [['sample', '--rn', 'x'], "gankit sample: unknown option '--rn'; did you mean '--run'?"],
      [['eval', '--run', 'x', '--nn', '3'], "gankit eval: unknown option '--nn'; did you mean '--n'?"],
      [['interpolate', '--pair', '3'], "gankit interpolate: unknown option '--pair'; did you mean '--pairs'?"],
      [['version', '--hepl'], "gankit version: unknown option '--hepl'; did you mean '--help'?"],
    ];
    for (const [argv, line] of cases) {
      const [code, stderr] = await refused(argv);
      expect([code, stderr]).toEqual([2, `${line} (gankit ${argv[0]} --help lists the options)\n`]);
    }
    // Too far from every option: no guess.
    expect((await refused(['train', '--zzzzzz']))[1]).toBe(
      "gankit train: unknown option '--zzzzzz' (gankit train --help lists the options)\n",
    );
    expect((await refused(['train', '-x']))[1]).toBe("gankit train: unknown option '-x' (gankit train --help lists the options)\n");
  });
});
