import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

let counter = 0;

/**
 * Writes a file through a temporary name in the same folder, then renames it into place, so that a
 * reader (a browser, a file watcher) never sees half a file. Creates missing parent folders.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${++counter}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
