// Turns what someone typed (`web-1`, `@prod`, `all`) into host entries. The text is checked
// against the same patterns as the config before any lookup, and a bad input is echoed back only
// shortened and defanged: it is user text on its way to Slack.

import { DockmedicError } from '../errors.ts';
import type { DockmedicConfig, HostConfig } from './schema.ts';
import { HOST_NAME_PATTERN } from './schema.ts';

const MAX_LISTED = 20;
const MAX_ECHO = 64;

export function resolveTargets(config: DockmedicConfig, target: string): HostConfig[] {
  const text = target.trim();
  if (text === 'all') return allHosts(config);
  if (text.startsWith('@')) return groupHosts(config, text.slice(1), text);
  if (!HOST_NAME_PATTERN.test(text)) throw badTarget(text);
  const host = config.hosts.find((candidate) => candidate.name === text);
  if (host) return [host];
  throw new DockmedicError('dm_unknown_host', `unknown host ${text}`, {
    userMessage: `There is no host named \`${text}\`. ${knownHostsHint(config)}`,
  });
}

function allHosts(config: DockmedicConfig): HostConfig[] {
  if (config.hosts.length > 0) return [...config.hosts];
  throw new DockmedicError('dm_unknown_host', 'no hosts are configured', {
    userMessage: 'No hosts are configured yet: add them under `hosts:` in dockmedic.yaml.',
  });
}

function groupHosts(config: DockmedicConfig, group: string, text: string): HostConfig[] {
  if (!HOST_NAME_PATTERN.test(group)) throw badTarget(text);
  const members = config.hosts.filter((host) => host.groups.includes(group));
  if (members.length > 0) return members;
  const groups = [...new Set(config.hosts.flatMap((host) => host.groups))].sort();
  const known =
    groups.length > 0 ? `Known groups: ${listNames(groups.map((name) => `@${name}`))}.` : 'No groups are configured.';
  throw new DockmedicError('dm_unknown_host', `unknown group ${group}`, {
    userMessage: `There is no group named \`@${group}\`. ${known} See \`/docker hosts\` for every host and its groups.`,
  });
}

function badTarget(text: string): DockmedicError {
  const shown = echo(text);
  return new DockmedicError('dm_bad_arguments', `not a host name, @group or all: ${shown}`, {
    userMessage: `\`${shown}\` is not a host name, \`@group\` or \`all\` (host names look like web-1: a-z, 0-9, . _ -). See \`/docker hosts\`.`,
  });
}

/** At most 64 characters, and nothing Slack would read as markup, a mention or a new line. */
export function echo(text: string): string {
  const clipped = [...text].slice(0, MAX_ECHO).join('');
  const safe = clipped.replace(/[^A-Za-z0-9 ._@:/+=-]/g, '?');
  return [...text].length > MAX_ECHO ? `${safe}…` : safe;
}

function knownHostsHint(config: DockmedicConfig): string {
  if (config.hosts.length === 0) return 'No hosts are configured yet.';
  return `Known hosts: ${listNames(config.hosts.map((host) => host.name))}. See \`/docker hosts\` for all of them.`;
}

function listNames(names: string[]): string {
  if (names.length <= MAX_LISTED) return names.join(', ');
  return `${names.slice(0, MAX_LISTED).join(', ')} and ${names.length - MAX_LISTED} more`;
}
