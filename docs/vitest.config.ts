import { mergeConfig } from 'vitest/config';
import shared from '../vitest.shared';

// The shared settings, with the include list widened to the test files at the top of docs/
// (mergeConfig appends to arrays: the shared src/ and test/ patterns stay).
export default mergeConfig(shared, { test: { include: ['*.test.ts'] } });
