// Whether a dockmedic runbook holds dockerd stopped on purpose (it is copying or converting Docker's
// data): a marker file under /run/dockmedic/<run>/ that the runbook writes before it stops dockerd
// and removes once it (or its rollback) has started it again. The watchdog and "Start docker" leave
// such a dockerd alone; daemon-health offers the runbook's rollback instead.

import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';

export const RUNBOOK_STATE_ROOT = '/run/dockmedic';
export const HOLD_FILE = 'dockerd-held';
/** A hold older than this is a leftover (a worker and its rollback both gone): it no longer holds. */
const HOLD_MINUTES = 24 * 60;

/** The run id ("move-data-root-20260102T030405Z") of the runbook that holds dockerd stopped, else undefined. */
export function runbookHold(ctx: EvidenceContext): Promise<string | undefined> {
  return ctx.memo('shell:runbook-hold', async () => {
    const result = await ctx.conn.exec(
      sh`f=$(find ${RUNBOOK_STATE_ROOT} -mindepth 2 -maxdepth 2 -name ${HOLD_FILE} -mmin -${HOLD_MINUTES} 2>/dev/null | head -n 1); [ -n "$f" ] && basename -- "$(dirname -- "$f")"`,
      { privileged: true },
    );
    return result.stdout.trim() || undefined;
  });
}
