import { describe, expect, it } from 'vitest';
import { judgeDaemonHealth } from '../../../src/checks/daemon-health.ts';
import { parseDaemonState } from '../../../src/evidence/daemonState.ts';

// Output of the daemonState script on a lab host (no systemd) right after `kill -TERM` of dockerd,
// and on a systemd host with docker disabled at boot and no Restart= policy.
const LAB_DOWN = '@@systemd\nno\n@@procs\n@@pidfile\n@@socket\nno\n';
const LAB_KILLED = '@@systemd\nno\n@@procs\n@@pidfile\n20\ndead\n@@socket\nyes\n';
const SYSTEMD_UP =
  '@@systemd\nyes\n@@active\nactive\n@@enabled\ndisabled\n@@show\nRestart=no\nNRestarts=3\n@@procs\n 812  /usr/bin/dockerd -H fd://\n@@pidfile\n812\nalive\n@@socket\nyes\n';

const state = (out: string) => parseDaemonState(out, '/var/run/docker.pid', '/var/run/docker.sock');

describe('daemon-health', () => {
  it.each([
    ['SIGTERM: no process, no socket', LAB_DOWN, /pidfile \/var\/run\/docker.pid: absent/],
    ['SIGKILL: stale pidfile and socket', LAB_KILLED, /pid 20, stale/],
  ])('down (%s) is one crit finding offering start-docker, naming its evidence', (_name, out, line) => {
    const findings = judgeDaemonHealth({ host: 'h1', pingError: 'dockerd is not running on h1', state: state(out) });

    expect(findings).toHaveLength(1);
    expect(findings[0]?.severity).toBe('crit');
    expect(findings[0]?.summary).toBe('dockerd is not running on h1');
    expect(findings[0]?.evidence?.join('\n')).toMatch(line);
    expect(findings[0]?.detail).toMatch(/no systemd/);
    expect(findings[0]?.fixes?.map((fix) => fix.fix)).toEqual(['start-docker']);
  });

  it('names a runbook that holds dockerd stopped and offers its rollback, not a plain start', () => {
    const [finding] = judgeDaemonHealth({
      host: 'h1',
      pingError: 'dockerd is not running on h1',
      state: state(LAB_DOWN),
      heldBy: 'move-data-root-20260102T030405Z',
    });

    expect(finding).toMatchObject({
      severity: 'crit',
      summary:
        'dockerd is stopped on h1: the dockmedic runbook run move-data-root-20260102T030405Z stopped it on purpose',
      fixes: [{ fix: 'restore-docker', params: { run: 'move-data-root-20260102T030405Z' } }],
    });
  });

  it('warns when docker is not enabled at boot and suggests Restart=always', () => {
    const findings = judgeDaemonHealth({ host: 'h1', state: state(SYSTEMD_UP) });

    expect(findings.map((f) => f.severity)).toEqual(['ok', 'warn', 'info', 'info']);
    expect(findings[1]?.summary).toMatch(/not enabled at boot/);
    expect(findings[2]?.fixes?.[0]?.fix).toBe('docker-restart-policy');
    expect(findings[3]?.summary).toMatch(/restarted dockerd 3 time/);
  });
});
