// Global setup of every package's tests: a fresh temporary folder for the run, set as TMPDIR so that
// the folders tests make with os.tmpdir() (and the CLI processes they start) land in it; removed
// after the run, so test runs leave nothing behind in the system's temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Makes the run's temporary folder and points TMPDIR at it; returns the teardown that removes it. */
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-tests-'));
  // Open to every user, as /tmp is (mkdtemp makes it 0700): tests that run the CLI as an
  // unprivileged user must reach the folders they make in it.
  fs.chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
