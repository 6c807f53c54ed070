// dockerd's configuration (docs/checks.md, trouble § 5, 11): a daemon.json that is not valid JSON keeps dockerd from
// starting on its next restart (the guide's own example has `#` comments, and calls the file
// daemon.yaml); a setting given both as a flag and in the file does too; `graph` is gone since
// Docker 23; without live-restore, restarting dockerd stops every container.

import type { EvidenceContext } from '../evidence/context.ts';
import { type DaemonJson, daemonJson } from '../evidence/daemonConfig.ts';
import { dockerCall, isDockerUnavailable } from '../evidence/docker.ts';
import { type DockerdProcess, dockerdProcess } from '../evidence/dockerdProcess.ts';
import { daemonLiveRestoreFix, proposeDaemonLiveRestore } from '../fixes/daemon-live-restore.ts';
import { sh } from '../hosts/shell.ts';
import type { Check, Finding } from './types.ts';

export const DAEMON_YAML_PATH = '/etc/docker/daemon.yaml';

export interface DaemonConfigEvidence {
  daemonJson: DaemonJson;
  dockerd: DockerdProcess;
  /** True when /etc/docker/daemon.yaml exists (the guide's name; dockerd never reads it). */
  daemonYaml: boolean;
  /** `LiveRestoreEnabled` from `GET /info`, when dockerd answers. */
  liveRestoreEnabled?: boolean;
}

/** Flags whose daemon.json key is not simply the flag name without its dashes. */
const FLAG_KEYS: Record<string, string> = {
  '-H': 'hosts',
  '--host': 'hosts',
  '-g': 'graph',
  '-G': 'group',
  '-D': 'debug',
  '-l': 'log-level',
  '-p': 'pidfile',
  '-b': 'bridge',
  '--label': 'labels',
  '--insecure-registry': 'insecure-registries',
  '--registry-mirror': 'registry-mirrors',
  '--storage-opt': 'storage-opts',
  '--log-opt': 'log-opts',
  '--exec-opt': 'exec-opts',
  '--authorization-plugin': 'authorization-plugins',
  '--default-ulimit': 'default-ulimits',
  '--add-runtime': 'runtimes',
  '--dns-opt': 'dns-opts',
  '--node-generic-resource': 'node-generic-resources',
};

/** Pure: the daemon.json keys a dockerd command line sets (`--data-root X` → `data-root`). */
export function flagKeys(args: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const word of args.slice(1)) {
    if (!word.startsWith('-')) continue;
    const name = word.split('=')[0] as string;
    if (name === '--config-file') continue;
    const key = FLAG_KEYS[name] ?? (name.startsWith('--') ? name.slice(2) : undefined);
    if (key) keys.add(key);
  }
  return [...keys];
}

/** Pure: 1-based numbers of the lines carrying `#` or `//` outside JSON strings. */
export function commentLines(text: string): number[] {
  const lines: number[] = [];
  text.split('\n').forEach((line, index) => {
    const outsideStrings = line.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    if (/#|\/\//.test(outsideStrings)) lines.push(index + 1);
  });
  return lines;
}

async function collectDaemonConfig(ctx: EvidenceContext): Promise<DaemonConfigEvidence> {
  const [config, dockerd, yaml] = await Promise.all([
    daemonJson(ctx),
    dockerdProcess(ctx),
    ctx.conn.exec(sh`test -e ${DAEMON_YAML_PATH}`),
  ]);
  const evidence: DaemonConfigEvidence = { daemonJson: config, dockerd, daemonYaml: yaml.code === 0 };
  // dockerd down is no reason to skip this check: a broken daemon.json is what keeps it down.
  const info = await dockerCall(ctx, 'GET /info', (docker) => docker.info() as Promise<unknown>).catch(
    (error: unknown) => {
      if (isDockerUnavailable(error)) return undefined;
      throw error;
    },
  );
  const live = (info as { LiveRestoreEnabled?: unknown } | undefined)?.LiveRestoreEnabled;
  if (typeof live === 'boolean') evidence.liveRestoreEnabled = live;
  return evidence;
}

function invalidJsonFinding(config: DaemonJson): Finding {
  const comments = config.text ? commentLines(config.text) : [];
  const detail =
    comments.length > 0
      ? `Line(s) ${comments.join(', ')} carry comments. JSON has no comments: older guides annotate daemon.json with "# …", which dockerd refuses. Remove the comments (keep them in a README beside it).`
      : 'Fix the syntax (a trailing comma or a missing quote is the usual cause); `python3 -m json.tool` points at the spot.';
  return {
    check: 'daemon-config',
    severity: 'crit',
    summary: `${config.path} is not valid JSON: dockerd will not start on its next restart`,
    detail: `${detail} dockerd reads the file only when it starts or reloads, so a running daemon hides the problem until then.`,
    evidence: [
      `${config.path}: ${config.parseError}`,
      ...comments.slice(0, 5).map((line) => `line ${line}: ${config.text?.split('\n')[line - 1]?.trim()}`),
    ],
  };
}

function duplicateFinding(evidence: DaemonConfigEvidence): Finding | undefined {
  const file = evidence.daemonJson.config;
  const sources = [
    ...(evidence.dockerd.args ? [{ where: 'the running dockerd', args: evidence.dockerd.args }] : []),
    ...evidence.dockerd.unitExecStart.map((line) => ({
      where: 'the docker unit',
      args: line.replace(/^\s*ExecStart=/, '').split(/\s+/),
    })),
  ];
  if (!file) return undefined;
  const clashes: string[] = [];
  for (const source of sources) {
    for (const key of flagKeys(source.args)) {
      if (key in file) clashes.push(`"${key}": in ${evidence.daemonJson.path} and as a flag of ${source.where}`);
    }
  }
  if (clashes.length === 0) return undefined;
  return {
    check: 'daemon-config',
    severity: 'crit',
    summary: `${clashes.length} setting(s) given both as a dockerd flag and in daemon.json: dockerd will not start on its next restart`,
    detail:
      'dockerd refuses to start when one directive is both a flag and in the file ("the following directives are specified both as a flag and in the configuration file"). Keep it in one place, e.g. drop -H from the unit when daemon.json sets "hosts" (a systemd drop-in with an empty ExecStart= line, then ExecStart=/usr/bin/dockerd).',
    evidence: [...clashes, ...(evidence.dockerd.args ? [`ps: ${evidence.dockerd.args.join(' ')}`] : [])],
  };
}

function graphFinding(config: DaemonJson): Finding | undefined {
  if (!config.config || !('graph' in config.config)) return undefined;
  return {
    check: 'daemon-config',
    severity: 'crit',
    summary: `${config.path} sets "graph": removed in Docker 23, dockerd will not start with it; use "data-root"`,
    detail:
      'Older guides still show "graph". Rename the key to "data-root" (same value); on Docker 20.10 and older that works too.',
    evidence: [`${config.path}: "graph": ${JSON.stringify(config.config.graph)}`],
  };
}

function yamlFinding(evidence: DaemonConfigEvidence): Finding | undefined {
  if (!evidence.daemonYaml) return undefined;
  return {
    check: 'daemon-config',
    severity: 'warn',
    summary: `${DAEMON_YAML_PATH} exists, but dockerd never reads it: its settings have no effect`,
    detail: `dockerd reads /etc/docker/daemon.json (JSON, no comments). Older guides name the file daemon.yaml; move its settings into ${evidence.daemonJson.path} and remove it.`,
    evidence: [`test -e ${DAEMON_YAML_PATH}: exists`],
  };
}

function liveRestoreFinding(evidence: DaemonConfigEvidence): Finding | undefined {
  // No file at all means every default, live-restore off among them.
  const config = evidence.daemonJson.present ? evidence.daemonJson.config : {};
  if (!config) return undefined;
  const inFile = config['live-restore'] === true;
  const onFlag = evidence.dockerd.args?.includes('--live-restore') ?? false;
  const enabled = evidence.liveRestoreEnabled ?? (inFile || onFlag);
  if (enabled) return undefined;
  const source =
    evidence.liveRestoreEnabled === undefined
      ? `${evidence.daemonJson.path} has no "live-restore": true (dockerd did not answer GET /info)`
      : `GET /info: LiveRestoreEnabled=false; ${evidence.daemonJson.path} ${inFile ? 'sets it but dockerd has not reloaded' : 'does not set "live-restore"'}`;
  return {
    check: 'daemon-config',
    severity: 'info',
    summary: 'live-restore is off: restarting or upgrading dockerd stops every container',
    detail:
      'With "live-restore": true in daemon.json, containers keep running while dockerd restarts. It is applied by a reload (SIGHUP, `systemctl reload docker`), no restart needed.',
    evidence: [source],
    fixes: [proposeDaemonLiveRestore('Turn on live-restore (backup, validate, reload)', {})],
  };
}

export function judgeDaemonConfig(evidence: DaemonConfigEvidence): Finding[] {
  const findings: Finding[] = [];
  const config = evidence.daemonJson;
  if (config.parseError) findings.push(invalidJsonFinding(config));
  for (const finding of [duplicateFinding(evidence), graphFinding(config), yamlFinding(evidence)]) {
    if (finding) findings.push(finding);
  }
  const live = liveRestoreFinding(evidence);
  if (live) findings.push(live);
  if (findings.length > 0) return findings;
  return [
    {
      check: 'daemon-config',
      severity: 'ok',
      summary: `${config.path} is valid and live-restore is on`,
      evidence: [
        config.present ? `${config.path}: valid JSON` : `${config.path}: absent`,
        evidence.liveRestoreEnabled === undefined
          ? 'live-restore from daemon.json'
          : 'GET /info: LiveRestoreEnabled=true',
      ],
    },
  ];
}

export const daemonConfigCheck: Check<DaemonConfigEvidence> = {
  id: 'daemon-config',
  title: 'Daemon configuration',
  doc: {
    seed: [5, 11],
    evidence: '`/etc/docker/daemon.json`, dockerd flags',
    rule: "not valid JSON (the guide's own example has `#` comments!) → crit: dockerd will not start on its next restart; the same key as a flag and in the file → crit; `live-restore` off → info (restarting dockerd stops containers)",
  },
  offers: [daemonLiveRestoreFix],

  collect: collectDaemonConfig,
  judge: judgeDaemonConfig,
};
