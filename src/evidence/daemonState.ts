// Shell-side evidence of dockerd's state (docs/checks.md, trouble § 18): systemd's view where systemd runs the host,
// else the process table, the pidfile and the socket. Collected in one remote shell; each section is
// marked so one missing tool (no pgrep on busybox, no systemctl in a container) blanks only its part.

import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';
import { daemonJson, daemonString } from './daemonConfig.ts';

export interface DaemonState {
  systemd: boolean;
  active?: string;
  enabled?: string;
  nRestarts?: number;
  /** systemd's Restart= for docker.service, e.g. `no`, `always`, `on-failure`. */
  restart?: string;
  /** `pid args` lines of dockerd processes. */
  processes: string[];
  pidfile: { path: string; pid?: number; alive?: boolean };
  socket: { path: string; present: boolean };
}

/** Pure: the marked output of the script below into evidence. */
export function parseDaemonState(stdout: string, pidfilePath: string, socketPath: string): DaemonState {
  const sections = new Map<string, string[]>();
  let current = '';
  for (const line of stdout.split('\n')) {
    const marker = /^@@(\w+)$/.exec(line.trim());
    if (marker) {
      current = marker[1] as string;
      sections.set(current, []);
    } else if (current && line.trim() !== '') sections.get(current)?.push(line.trim());
  }
  const first = (name: string) => sections.get(name)?.[0];
  const show = new Map((sections.get('show') ?? []).map((line) => line.split('=', 2) as [string, string]));
  const pidLines = sections.get('pidfile') ?? [];
  const pid = Number.parseInt(pidLines[0] ?? '', 10);
  const restarts = Number.parseInt(show.get('NRestarts') ?? '', 10);
  return {
    systemd: first('systemd') === 'yes',
    active: first('active'),
    enabled: first('enabled'),
    nRestarts: Number.isFinite(restarts) ? restarts : undefined,
    restart: show.get('Restart'),
    processes: sections.get('procs') ?? [],
    pidfile: Number.isInteger(pid) ? { path: pidfilePath, pid, alive: pidLines[1] === 'alive' } : { path: pidfilePath },
    socket: { path: socketPath, present: first('socket') === 'yes' },
  };
}

export function daemonState(ctx: EvidenceContext): Promise<DaemonState> {
  return ctx.memo('shell:daemon-state', async () => {
    const config = await daemonJson(ctx);
    const pidfile = daemonString(config, 'pidfile') ?? '/var/run/docker.pid';
    const socket = ctx.conn.host.dockerSocket;
    const script = sh`echo @@systemd
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo yes
echo @@active; systemctl is-active docker 2>&1
echo @@enabled; systemctl is-enabled docker 2>&1
echo @@show; systemctl show docker -p NRestarts -p Restart 2>&1
else echo no; fi
echo @@procs; ps -eo pid=,comm=,args= 2>/dev/null | awk '$2 == "dockerd" { $2 = ""; print }'
echo @@pidfile; if [ -f ${pidfile} ]; then p=$(cat ${pidfile}); echo "$p"; if kill -0 "$p" 2>/dev/null; then echo alive; else echo dead; fi; fi
echo @@socket; if [ -S ${socket} ]; then echo yes; else echo no; fi`;
    const result = await ctx.conn.exec(script, { privileged: true });
    return parseDaemonState(result.stdout, pidfile, socket);
  });
}
