// `/docker audit`: who did what, where and when, newest first as the audit trail returns them.

import { SLACK_LIMITS } from '../limits.ts';
import { codeSection, context, escapeMrkdwn, header, type Rendered } from './blocks.ts';

export interface AuditLine {
  at: string;
  actor: string;
  action: string;
  host?: string;
  detail?: string;
}

export function renderAudit(entries: AuditLine[]): Rendered {
  if (entries.length === 0) {
    return { text: 'The audit trail is empty.', blocks: [context(['The audit trail is empty.'])] };
  }
  const lines = entries.map((entry) =>
    [entry.at, entry.actor, entry.action, entry.host ?? '-', entry.detail ?? ''].join('  ').trimEnd(),
  );
  // The code section cuts itself short with a "… N more lines" note when the trail is long.
  const blocks = [header('Audit trail'), codeSection('', lines, SLACK_LIMITS.sectionText)];
  const text = `Audit trail (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}):\n${escapeMrkdwn(lines.slice(0, 50).join('\n'))}`;
  return { text, blocks };
}
