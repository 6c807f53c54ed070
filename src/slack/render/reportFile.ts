// The whole of a host report as a text file, for when the message cannot hold it (Slack refuses more
// than ~12,000 characters of block text): every finding, worst first, with all its evidence.

import type { HostReport } from '../../checks/report.ts';
import { worstFirst } from '../../checks/types.ts';
import { formatDuration } from '../../format.ts';
import { filesystemTable } from './hostReport.ts';

export interface ReportFile {
  title: string;
  filename: string;
  content: string;
}

export function reportFile(report: HostReport): ReportFile {
  const lines = [
    `${report.host} · ${report.command} · worst: ${report.worst}`,
    `started ${report.startedAt}, took ${formatDuration(report.durationMs)}`,
    '',
  ];
  if (report.disk && report.disk.filesystems.length > 0) lines.push(...filesystemTable(report.disk.filesystems), '');
  const findings = worstFirst(report.findings);
  for (const [index, finding] of findings.entries()) {
    lines.push(`${index + 1}. [${finding.severity}] ${finding.summary}  (${finding.check})`);
    if (finding.detail) lines.push(...finding.detail.split('\n').map((line) => `   ${line}`));
    for (const line of finding.evidence ?? []) lines.push(`   | ${line}`);
    lines.push('');
  }
  if (findings.length === 0) lines.push('No findings.');
  return {
    title: `${report.host} ${report.command}: the whole report (${findings.length} findings)`,
    filename: `${report.host}-${report.command}.txt`,
    content: `${lines.join('\n')}\n`,
  };
}
