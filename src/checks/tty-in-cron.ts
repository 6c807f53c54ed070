import { collectCronLines, findTtyUses, rewriteLine, type TtyInCronEvidence } from '../evidence/crontabs.ts';
import { cronDropTtyFix, proposeCronDropTty } from '../fixes/cron-drop-tty.ts';
import type { Check, Finding } from './types.ts';

export function judgeTtyInCron(evidence: TtyInCronEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const entry of evidence.lines) {
    if (/^\s*#/.test(entry.text)) continue;
    const uses = findTtyUses(entry.text);
    if (uses.length === 0) continue;
    const flags = uses.flatMap((use) => use.flags);
    const rewritten = rewriteLine(entry.text);
    findings.push({
      check: 'tty-in-cron',
      severity: 'warn',
      summary: `${entry.file} line ${entry.line}: \`${uses[0]?.command}\` with ${flags.join(' ')} in a cron job: "the input device is not a TTY"`,
      detail: [
        'cron runs jobs without a terminal: docker fails with "the input device is not a TTY" and the job produces nothing (an empty backup, say). Drop -t; keep -i when the job pipes data in or out.',
        `In ${entry.file}, line ${entry.line}:`,
        `- ${entry.text.trim()}`,
        `+ ${rewritten.trim()}`,
      ].join('\n'),
      evidence: [`${entry.file}:${entry.line}: ${entry.text.trim()}`],
      fixes: [
        proposeCronDropTty(`Drop ${flags.join(' ')} from ${entry.file} line ${entry.line} (backup kept)`, {
          file: entry.file,
          line: entry.line,
        }),
      ],
    });
  }
  if (findings.length > 0) return findings;
  return [
    {
      check: 'tty-in-cron',
      severity: 'ok',
      summary:
        evidence.lines.length === 0
          ? 'No crontab runs docker'
          : `${evidence.lines.length} crontab line(s) run docker, none with a TTY option`,
      evidence: evidence.lines.slice(0, 5).map((entry) => `${entry.file}:${entry.line}: ${entry.text.trim()}`),
    },
  ];
}

export const ttyInCronCheck: Check<TtyInCronEvidence> = {
  id: 'tty-in-cron',
  title: 'TTY options in cron jobs',
  doc: {
    seed: [13, 14],
    evidence: 'crontabs (`/etc/crontab`, `/etc/cron.d/*`, `/var/spool/cron/**`)',
    rule: '`docker exec`/`docker run` with `-t`, `-it`, `-ti`, `--tty` → warn: "the input device is not a TTY", empty backups',
  },
  offers: [cronDropTtyFix],

  collect: collectCronLines,
  judge: judgeTtyInCron,
};
