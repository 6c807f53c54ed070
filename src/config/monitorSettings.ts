import type { DockmedicConfig, HostConfig, RuleConfig } from './schema.ts';

/** The monitor block of the first of the host's groups that has one (groups are listed in order of precedence). */
function groupMonitor(config: DockmedicConfig, host: HostConfig) {
  for (const group of host.groups) {
    const monitor = config.groups[group]?.monitor;
    if (monitor) return monitor;
  }
  return undefined;
}

/** How often a host is monitored: its own interval, else its group's, else the global one. */
export function monitorIntervalOf(config: DockmedicConfig, host: HostConfig): number {
  return host.monitor?.interval ?? groupMonitor(config, host)?.interval ?? config.monitor.interval;
}

/** The rule overrides for one check, weakest first: global, group, host (each field of a later one wins). */
export function ruleOverridesOf(config: DockmedicConfig, host: HostConfig | undefined, check: string): RuleConfig[] {
  const layers: Array<RuleConfig | undefined> = [
    config.monitor.rules[check],
    host ? groupMonitor(config, host)?.rules?.[check] : undefined,
    host?.monitor?.rules?.[check],
  ];
  return layers.filter((layer): layer is RuleConfig => layer !== undefined);
}
