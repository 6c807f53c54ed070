// /tmp mounted noexec (docs/checks.md, trouble § 3): hardening guides recommend it, and then tools that unpack native
// code into /tmp and run it (docker-compose v1, other PyInstaller programs) fail with "error while
// loading shared libraries: …: failed to map segment from shared object: Operation not permitted".

import { collectTmpMount, type TmpNoexecEvidence } from '../evidence/tmpMount.ts';
import { proposeRemountTmpExec, remountTmpExecFix } from '../fixes/remount-tmp-exec.ts';
import type { Check, Finding } from './types.ts';

export function judgeTmpNoexec(evidence: TmpNoexecEvidence): Finding[] {
  const { mount } = evidence;
  if (!mount) {
    return [
      { check: 'tmp-noexec', severity: 'info', summary: `Could not find the mount holding /tmp in ${evidence.source}` },
    ];
  }
  const quoted = `${evidence.source}: ${mount.target} ${mount.fstype} ${mount.options.join(',')}`;
  if (!mount.options.includes('noexec')) {
    return [
      { check: 'tmp-noexec', severity: 'ok', summary: `/tmp allows executables (${mount.target})`, evidence: [quoted] },
    ];
  }
  const ownMount = mount.target === '/tmp';
  return [
    {
      check: 'tmp-noexec',
      severity: 'warn',
      summary: `/tmp is mounted noexec: tools that unpack into /tmp fail with "failed to map segment from shared object"`,
      detail: [
        'docker-compose v1 and other PyInstaller-built programs unpack their libraries into /tmp and load them from there; noexec makes that fail ("error while loading shared libraries: libz.so.1: failed to map segment from shared object: Operation not permitted").',
        'Better than undoing the hardening: give those tools another directory, e.g. `mkdir -p /var/tmp/compose && TMPDIR=/var/tmp/compose docker-compose …` (or set TMPDIR in the service or cron job).',
        ownMount
          ? "`mount -o remount,exec /tmp` (the guide's fix) works at once but lasts until reboot and undoes the hardening; /etc/fstab decides what happens at the next boot."
          : `/tmp is part of ${mount.target}: remounting that is not offered; use TMPDIR.`,
      ].join('\n'),
      evidence: [quoted],
      ...(ownMount ? { fixes: [proposeRemountTmpExec('Remount /tmp with exec (until reboot)', {})] } : {}),
    },
  ];
}

export const tmpNoexecCheck: Check<TmpNoexecEvidence> = {
  id: 'tmp-noexec',
  title: '/tmp mount options',
  doc: {
    seed: [3],
    evidence: '`findmnt -no OPTIONS /tmp`',
    rule: '`noexec` → warn: tools that unpack into /tmp (docker-compose v1, PyInstaller programs) fail with "failed to map segment from shared object"',
    advice:
      '`risky`: `mount -o remount,exec /tmp` (says it lasts until reboot and may undo hardening); recommend `TMPDIR` instead',
  },
  offers: [remountTmpExecFix],

  collect: collectTmpMount,
  judge: judgeTmpNoexec,
};
