import { renderAudit, renderAuditParts } from '../src/slack/render/audit.ts';
import { badArguments, expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

const DEFAULT_ENTRIES = 20;
const MAX_ENTRIES = 100;
const USAGE = 'audit [security|requests] [N]   (N from 1 to 100)';

function countOf(word: string | undefined): number {
  const count = word === undefined ? DEFAULT_ENTRIES : Number(word);
  if (Number.isInteger(count) && count >= 1 && count <= MAX_ENTRIES) return count;
  throw badArguments('N must be a whole number from 1 to 100, e.g. `/docker audit 20` or `/docker audit security 50`.');
}

export const auditCommand: DockerCommand = {
  name: 'audit',
  usage: 'audit [security|requests] [N]',
  description:
    'The audit trail, newest first: security events (refusals, approvals, denials, expiries, fix runs) and requests apart.',
  minRole: 'operator',
  async run(args, _request, services) {
    expectArgs(args, USAGE, { min: 0, max: 2 });
    const [first, second] = args;
    if (first === 'security' || first === 'requests') {
      const entries = await services.audit.recentOf(first, countOf(second));
      return renderAudit(entries);
    }
    if (second !== undefined) throw badArguments(`Use \`/docker ${USAGE}\`.`);
    const count = countOf(first);
    const [security, requests] = await Promise.all([
      services.audit.recentOf('security', count),
      services.audit.recentOf('requests', count),
    ]);
    return renderAuditParts([
      { title: 'Security events (refusals, approvals, denials, expiries, fix runs)', entries: security },
      { title: 'Requests', entries: requests },
    ]);
  },
};
