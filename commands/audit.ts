import { renderAudit } from '../src/slack/render/audit.ts';
import { badArguments, expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

const DEFAULT_ENTRIES = 20;
const MAX_ENTRIES = 100;

export const auditCommand: DockerCommand = {
  name: 'audit',
  usage: 'audit [N]',
  description: 'Show the last N entries of the audit trail: requests, approvals, denials, expiries, fix results.',
  minRole: 'operator',
  async run(args, _request, services) {
    expectArgs(args, 'audit [N]   (N from 1 to 100)', { min: 0, max: 1 });
    const count = args[0] === undefined ? DEFAULT_ENTRIES : Number(args[0]);
    if (!Number.isInteger(count) || count < 1 || count > MAX_ENTRIES) {
      throw badArguments('N must be a whole number from 1 to 100, e.g. `/docker audit 20`.');
    }
    const entries = await services.audit.recent(count);
    return renderAudit(entries);
  },
};
