// nginx in a container proxying to localhost (docs/checks.md, trouble § 8). Inside a container `localhost` is the
// container itself, not the host: the guide's 502. The configuration is read as nginx sees it,
// `nginx -T` run inside each nginx-like container (not for host-network ones, where localhost is the host).

import { EXEC_CONCURRENCY, execInContainer, inBatches } from '../evidence/containerExec.ts';
import { type ContainerSpec, composeOrigin, describeOrigin, runningContainerSpecs } from '../evidence/containerSpec.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import { redactText } from '../redact.ts';
import { imageRepoAndTag } from './container-locale.ts';
import type { Check, Finding } from './types.ts';

/** Kept of `nginx -T` output per container: a large site's config fits, a runaway one does not. */
export const NGINX_CONFIG_MAX_CHARS = 256 * 1024;

const NGINX_REPOS = /nginx|openresty|tengine/;

export interface NginxContainer {
  name: string;
  image: string;
  networkMode: string;
  labels: Record<string, string>;
  /** `nginx -T` stdout (redacted), when it ran. */
  config?: string;
  exitCode?: number | null;
  /** Why the config could not be read (stderr, timeout, exec refused). */
  problem?: string;
}

export interface ContainerLocalhostEvidence {
  /** Running containers looked at: nginx-like and not on the host network. */
  containers: NginxContainer[];
  /** nginx-like containers on the host network, skipped: their localhost is the host's. */
  hostNetwork: string[];
}

/** Pure: by image name or command line. */
export function isNginxLike(spec: Pick<ContainerSpec, 'image' | 'entrypoint' | 'cmd'>): boolean {
  if (NGINX_REPOS.test(imageRepoAndTag(spec.image).repo)) return true;
  return [...spec.entrypoint, ...spec.cmd].some((arg) => /(^|\/)(nginx|openresty)$/.test(arg));
}

async function readConfig(ctx: EvidenceContext, spec: ContainerSpec): Promise<NginxContainer> {
  const base = { name: spec.name, image: spec.image, networkMode: spec.networkMode, labels: spec.labels };
  try {
    const result = await execInContainer(ctx, spec.id, ['nginx', '-T']);
    if (result.timedOut) return { ...base, exitCode: null, problem: 'nginx -T did not finish in time' };
    const config = redactText(result.stdout.slice(0, NGINX_CONFIG_MAX_CHARS));
    if (result.exitCode === 0) return { ...base, config, exitCode: 0 };
    return { ...base, config, exitCode: result.exitCode, problem: redactText(result.stderr.trim().slice(0, 500)) };
  } catch (error) {
    return { ...base, problem: error instanceof Error ? error.message : String(error) };
  }
}

async function collectContainerLocalhost(ctx: EvidenceContext): Promise<ContainerLocalhostEvidence> {
  const nginx = (await runningContainerSpecs(ctx)).filter(isNginxLike);
  const hostNetwork = nginx.filter((spec) => spec.networkMode === 'host').map((spec) => spec.name);
  const others = nginx.filter((spec) => spec.networkMode !== 'host');
  const containers = await inBatches(others, EXEC_CONCURRENCY, (spec) => readConfig(ctx, spec));
  return { containers, hostNetwork };
}

export interface LoopbackProxy {
  /** The file `nginx -T` said the line came from. */
  file?: string;
  line: string;
}

const FILE_HEADER = /^# configuration file (.+):$/;
const LOOPBACK_PROXY = /\bproxy_pass\s+(?:[a-z]+:\/\/)?(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?=[:/;\s]|$)/i;

/** Pure: `proxy_pass` lines of `nginx -T` output that point at the loopback address. */
export function findLoopbackProxies(config: string): LoopbackProxy[] {
  const found: LoopbackProxy[] = [];
  let file: string | undefined;
  for (const raw of config.split('\n')) {
    const header = FILE_HEADER.exec(raw.trim());
    if (header) {
      file = header[1];
      continue;
    }
    const line = raw.replace(/#.*$/, '').trim();
    if (LOOPBACK_PROXY.test(line)) found.push({ ...(file ? { file } : {}), line });
  }
  return found;
}

const ADVICE =
  'Inside a container localhost is the container itself. To reach a service on the host, proxy to ' +
  '`host.docker.internal` and create the container with `--add-host=host.docker.internal:host-gateway` ' +
  '(compose: `extra_hosts: ["host.docker.internal:host-gateway"]`), or run it with `--network host` ' +
  '(compose: `network_mode: host`; published ports then do not apply). To reach another container, use its service name on a shared network.';

function containerFinding(container: NginxContainer): Finding | undefined {
  const proxies = findLoopbackProxies(container.config ?? '');
  if (proxies.length === 0) return undefined;
  const origin = describeOrigin(composeOrigin(container.labels));
  return {
    check: 'container-localhost',
    severity: 'warn',
    summary: `nginx in ${container.name} proxies to localhost: inside a container that is the container itself`,
    detail: `${ADVICE}\nChange: ${proxies
      .map((proxy) => `${proxy.file ?? 'the config'}: \`${proxy.line}\``)
      .join('; ')}. The container was ${origin}; its network mode is ${container.networkMode}.`,
    evidence: proxies.map(
      (proxy) => `${container.name}: nginx -T: ${proxy.file ? `${proxy.file}: ` : ''}${proxy.line}`,
    ),
  };
}

export function judgeContainerLocalhost(evidence: ContainerLocalhostEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const container of evidence.containers) {
    const finding = containerFinding(container);
    if (finding) findings.push(finding);
  }
  const unread = evidence.containers.filter((container) => container.config === undefined || container.problem);
  if (unread.length > 0 && findings.length < evidence.containers.length) {
    findings.push({
      check: 'container-localhost',
      severity: 'info',
      summary: `Could not read the nginx config of ${unread.map((container) => container.name).join(', ')}`,
      evidence: unread.map((container) => `${container.name}: nginx -T: ${container.problem ?? 'no output'}`),
    });
  }
  if (findings.some((finding) => finding.severity !== 'info')) return findings;
  const read = evidence.containers.length - unread.length;
  const skipped = evidence.hostNetwork.length > 0 ? `; ${evidence.hostNetwork.length} on the host network skipped` : '';
  return [
    {
      check: 'container-localhost',
      severity: 'ok',
      summary:
        evidence.containers.length + evidence.hostNetwork.length === 0
          ? 'No nginx containers running'
          : `No nginx container proxies to localhost (${read} config(s) read${skipped})`,
    },
    ...findings,
  ];
}

export const containerLocalhostCheck: Check<ContainerLocalhostEvidence> = {
  id: 'container-localhost',
  title: 'Containers proxying to localhost',
  doc: {
    seed: [8],
    evidence: 'nginx-like containers not on the host network: their config (`nginx -T` via exec)',
    rule: '`proxy_pass` to `localhost`/`127.0.0.1` → warn: inside a container that is the container itself',
    advice:
      'advice: `host.docker.internal` with `--add-host=host.docker.internal:host-gateway`, or `network_mode: host`',
  },
  collect: collectContainerLocalhost,
  judge: judgeContainerLocalhost,
};
