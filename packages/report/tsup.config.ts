import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

// This package writes files (node:fs, node:os), so it is bundled for Node.
export default defineConfig(packageConfig({ platform: 'node' }));
