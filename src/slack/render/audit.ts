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

function lineOf(entry: AuditLine): string {
  return [entry.at, entry.actor, entry.action, entry.host ?? '-', entry.detail ?? ''].join('  ').trimEnd();
}

export interface AuditPart {
  title: string;
  entries: AuditLine[];
}

/**
 * The trail in parts, each newest first in its own section: security events (refusals, approvals,
 * denials, fix runs) stay visible however many requests came after them.
 */
export function renderAuditParts(parts: AuditPart[]): Rendered {
  const blocks = [header('Audit trail')];
  const text: string[] = ['Audit trail'];
  for (const part of parts) {
    const lines = part.entries.map(lineOf);
    if (lines.length === 0) {
      blocks.push(context([`${part.title}: none.`]));
      text.push(`${part.title}: none.`);
      continue;
    }
    blocks.push(codeSection(`*${part.title}*`, lines, SLACK_LIMITS.sectionText));
    text.push(`${part.title}:`, ...lines.slice(0, 25));
  }
  return { text: text.join('\n'), blocks };
}

export function renderAudit(entries: AuditLine[]): Rendered {
  if (entries.length === 0) {
    return { text: 'The audit trail is empty.', blocks: [context(['The audit trail is empty.'])] };
  }
  const lines = entries.map(lineOf);
  // The code section cuts itself short with a "… N more lines" note when the trail is long.
  const blocks = [header('Audit trail'), codeSection('', lines, SLACK_LIMITS.sectionText)];
  const text = `Audit trail (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}):\n${escapeMrkdwn(lines.slice(0, 50).join('\n'))}`;
  return { text, blocks };
}
