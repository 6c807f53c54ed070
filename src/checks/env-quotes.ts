// Environment values wrapped in literal quotes (docs/checks.md, trouble § 15). In a compose `environment:` list
// (`- DB_HOST="db"`) or an env file read by Compose v1, quotes are part of the value: the process gets
// `"db"`, quotes and all, and fails to resolve or match it. `docker run -e X="y"` in a shell is fine:
// the shell removes them. Values of secret-looking variables are never shown (see containerSpec).

import type { EnvVar } from '../evidence/containerSpec.ts';
import { type ComposeOrigin, composeOrigin, describeOrigin, runningContainerSpecs } from '../evidence/containerSpec.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import type { Check, Finding } from './types.ts';

export interface EnvContainer {
  name: string;
  image: string;
  /** Redacted: secret-named values are `••••` (inside their quotes). */
  env: EnvVar[];
  origin?: ComposeOrigin;
}

export interface EnvQuotesEvidence {
  containers: EnvContainer[];
}

async function collectEnvQuotes(ctx: EvidenceContext): Promise<EnvQuotesEvidence> {
  const specs = await runningContainerSpecs(ctx);
  return {
    containers: specs.map((spec) => {
      const origin = composeOrigin(spec.labels);
      return { name: spec.name, image: spec.image, env: spec.env, ...(origin ? { origin } : {}) };
    }),
  };
}

/** Pure: a value that starts and ends with the same quote character. */
export function isQuotedValue(value: string): boolean {
  return value.length >= 2 && /^(["'])[\s\S]*\1$/.test(value);
}

function advice(container: EnvContainer, names: readonly string[]): string {
  const list = names.join(', ');
  if (container.origin) {
    return `In ${describeOrigin(container.origin)}, drop the quotes around ${list}: in an \`environment:\` list write \`- ${names[0]}=value\`, not \`- ${names[0]}="value"\` (in the map form \`${names[0]}: value\` YAML quotes are fine); in an env_file write \`${names[0]}=value\`. Then recreate the container (\`docker compose up -d\`).`;
  }
  return `The container was created with the quotes inside the value (e.g. \`-e '${names[0]}="value"'\`, or from an --env-file with quoted values): recreate it with \`-e ${names[0]}=value\`.`;
}

export function judgeEnvQuotes(evidence: EnvQuotesEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const container of evidence.containers) {
    const quoted = container.env.filter((variable) => isQuotedValue(variable.value));
    if (quoted.length === 0) continue;
    const names = quoted.map((variable) => variable.name);
    findings.push({
      check: 'env-quotes',
      severity: 'warn',
      summary: `${container.name} gets ${names.join(', ')} with literal quotes in the value${
        container.origin
          ? ` (from ${container.origin.configFiles.join(', ') || container.origin.workingDir || 'compose'})`
          : ''
      }`,
      detail: advice(container, names),
      evidence: quoted.map((variable) => `${container.name}: Config.Env ${variable.name}=${variable.value}`),
    });
  }
  if (findings.length > 0) return findings;
  return [
    {
      check: 'env-quotes',
      severity: 'ok',
      summary: `No environment value in ${evidence.containers.length} running container(s) is wrapped in quotes`,
    },
  ];
}

export const envQuotesCheck: Check<EnvQuotesEvidence> = {
  id: 'env-quotes',
  title: 'Quoted environment values',
  doc: {
    seed: [15],
    evidence: "running containers' Config.Env",
    rule: 'a value wrapped in literal quotes (`X="y"` reaching the process as `"y"`) → warn, naming the compose file from the labels',
    advice: 'advice: drop the quotes in compose `environment:` lists / env files',
  },
  collect: collectEnvQuotes,
  judge: judgeEnvQuotes,
};
