import { createRequire } from 'node:module';
import * as path from 'node:path';
import { GankitError } from '@gankit/core';

/**
 * The optional peer dependencies of `@gankit/data/node`: each is loaded only when a function that
 * needs it runs, so a user who never reads image folders or the `mnist` digits installs none.
 */
export type OptionalPackage = 'mnist' | 'pngjs' | 'jpeg-js';

const requireHere = createRequire(import.meta.url);

function isMissing(e: unknown, name: OptionalPackage): boolean {
  const err = e as { code?: string | undefined; message?: string | undefined } | null;
  return err?.code === 'MODULE_NOT_FOUND' && typeof err.message === 'string' && err.message.includes(`'${name}`);
}

function missing(name: OptionalPackage, feature: string): GankitError {
  return new GankitError('data', `${feature} needs the optional package '${name}', which is not installed; run \`npm install ${name}\``);
}

/**
 * `require(name)` of an optional peer, or a `GankitError` naming the package to install.
 * `load` (tests) is the `require` to resolve with; default: this module's.
 */
export function requireOptional<T>(name: OptionalPackage, feature: string, load: NodeJS.Require = requireHere): T {
  try {
    return load(name) as T;
  } catch (e) {
    if (isMissing(e, name)) throw missing(name, feature);
    throw e;
  }
}

/** The folder an optional peer is installed in, or a `GankitError` naming the package to install. */
export function optionalPackageDir(name: OptionalPackage, feature: string, load: NodeJS.Require = requireHere): string {
  try {
    return path.dirname(load.resolve(`${name}/package.json`));
  } catch (e) {
    if (isMissing(e, name)) throw missing(name, feature);
    throw e;
  }
}
