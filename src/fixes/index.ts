// Every fix, by id. Adding a fix = one file in this folder + one line here.

import { pruneSafeFix } from './prune-safe.ts';
import { truncateLogFix } from './truncate-log.ts';
import type { Fix } from './types.ts';

export const FIXES: readonly Fix[] = [truncateLogFix as Fix, pruneSafeFix as Fix];

/** The fix with this id, or undefined (an approval may outlive a fix that was removed). */
export function getFix(id: string): Fix | undefined {
  return FIXES.find((fix) => fix.id === id);
}
