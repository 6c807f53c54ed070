// Two compose stacks with one project name (docs/checks.md, trouble § 12). Compose finds "its" containers by the
// com.docker.compose.project label, which defaults to the name of the folder holding the compose
// file: /data1/app and /data2/app are both project "app", and `up` in one recreates or removes the
// other's containers. Seen from the host: one project label, several working dirs.

import { type ComposeOrigin, composeOrigin, containerSpecs } from '../evidence/containerSpec.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import type { Check, Finding } from './types.ts';

export interface ComposeContainer {
  name: string;
  running: boolean;
  origin: ComposeOrigin;
}

export interface ComposeCollisionEvidence {
  /** Every container (running or not) that carries compose labels. */
  containers: ComposeContainer[];
}

async function collectComposeCollision(ctx: EvidenceContext): Promise<ComposeCollisionEvidence> {
  const containers: ComposeContainer[] = [];
  for (const spec of await containerSpecs(ctx)) {
    const origin = composeOrigin(spec.labels);
    if (origin) containers.push({ name: spec.name, running: spec.running, origin });
  }
  return { containers };
}

/** The folder a container's stack was started from: the working dir label, else its compose file's folder. */
function stackDir(origin: ComposeOrigin): string {
  if (origin.workingDir) return origin.workingDir;
  const file = origin.configFiles[0];
  return file ? file.replace(/\/[^/]*$/, '') || '/' : '(unknown)';
}

export function judgeComposeCollision(evidence: ComposeCollisionEvidence): Finding[] {
  const projects = new Map<string, Map<string, ComposeContainer[]>>();
  for (const container of evidence.containers) {
    const dirs = projects.get(container.origin.project) ?? new Map<string, ComposeContainer[]>();
    const dir = stackDir(container.origin);
    dirs.set(dir, [...(dirs.get(dir) ?? []), container]);
    projects.set(container.origin.project, dirs);
  }
  const findings: Finding[] = [];
  for (const [project, dirs] of projects) {
    if (dirs.size < 2) continue;
    const evidenceLines = [...dirs].map(([dir, containers]) => {
      const files = [...new Set(containers.flatMap((container) => container.origin.configFiles))].join(', ');
      return `project ${project}: working_dir ${dir}${files ? ` (config_files ${files})` : ''}: ${containers
        .map((container) => container.name)
        .join(', ')}`;
    });
    const names = [...dirs.keys()].map((dir, index) => `${project}-${index + 1} for ${dir}`).join(', ');
    findings.push({
      check: 'compose-collision',
      severity: 'crit',
      summary: `Compose project "${project}" is started from ${dirs.size} folders: ${[...dirs.keys()].join(', ')}; the stacks restart each other`,
      detail: `Compose takes containers with the label com.docker.compose.project=${project} as its own, so \`up\` in one folder recreates or removes the other's containers. Give each stack its own name (e.g. ${names}): \`docker compose -p NAME up -d\`, or a top-level \`name: NAME\` in the compose file (Compose v2), or COMPOSE_PROJECT_NAME=NAME in the folder's .env file. Then stop the old containers (\`docker compose -p ${project} down --remove-orphans\` in one of the folders removes every container of project ${project}) and start each stack under its new name.`,
      evidence: evidenceLines,
    });
  }
  if (findings.length > 0) return findings;
  return [
    {
      check: 'compose-collision',
      severity: 'ok',
      summary:
        projects.size === 0
          ? 'No compose projects on this host'
          : `${projects.size} compose project(s), each started from one folder`,
    },
  ];
}

export const composeCollisionCheck: Check<ComposeCollisionEvidence> = {
  id: 'compose-collision',
  title: 'Compose project names',
  doc: {
    seed: [12],
    evidence: 'labels `com.docker.compose.project` and `…project.working_dir` / `…config_files`',
    rule: 'one project name, more than one working dir → crit: the stacks restart each other',
    advice: 'advice: `docker compose -p NAME`, top-level `name:` or `COMPOSE_PROJECT_NAME`',
  },
  collect: collectComposeCollision,
  judge: judgeComposeCollision,
};
