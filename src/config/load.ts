import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { DockmedicError } from '../errors.ts';
import { DockmedicConfig } from './schema.ts';

export class ConfigError extends DockmedicError {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super('dm_config_invalid', `${source} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

function formatIssuePath(issuePath: readonly PropertyKey[]): string {
  let out = '';
  for (const part of issuePath) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out || '(top level)';
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

/**
 * Checks that need more than the schema knows (e.g. `access.commands` names registered subcommands,
 * which live above this layer): each returns problems in the schema's `path: what` form.
 */
export type ConfigCheck = (config: DockmedicConfig) => string[];

/** Validates an already-parsed object; every problem is listed, nothing is half-loaded. */
export function parseConfig(raw: unknown, source: string, baseDir: string, check?: ConfigCheck): DockmedicConfig {
  const result = DockmedicConfig.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(source, formatIssues(result.error));
  const config = result.data;
  const problems = check?.(config) ?? [];
  if (problems.length > 0) throw new ConfigError(source, problems);
  // Paths inside the file are relative to the file.
  for (const host of config.hosts) {
    if (host.privateKey) host.privateKey = path.resolve(baseDir, host.privateKey);
    if (host.knownHosts) host.knownHosts = path.resolve(baseDir, host.knownHosts);
  }
  return config;
}

export function loadConfigFile(file: string, check?: ConfigCheck): DockmedicConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(file, [`cannot read the file (${(cause as Error).message})`]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  }
  return parseConfig(doc.toJS(), file, path.dirname(path.resolve(file)), check);
}
