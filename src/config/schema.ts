import { z } from 'zod';
import { Duration } from './duration.ts';

export const HOST_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const HostName = z.string().regex(HOST_NAME_PATTERN, 'expected a host name like web-1 (a-z, 0-9, . _ -)');
export const GroupName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'expected a group name like prod');
const SlackUser = z.string().regex(/^(\*|[UW][A-Z0-9]{2,20})$/, 'expected a Slack user id like U0123ABCD or "*"');
const SlackChannel = z.string().regex(/^[CGD][A-Z0-9]{2,20}$/, 'expected a Slack channel id like C0123ABCD');

export const RuleConfig = z
  .object({
    warn: z.number().min(0).max(100).optional(),
    crit: z.number().min(0).max(100).optional(),
    clear: z.number().min(0).max(100).optional(),
    for: Duration.optional(),
    repeat: Duration.optional(),
  })
  .strict();
export type RuleConfig = z.infer<typeof RuleConfig>;

export const HostMonitorConfig = z
  .object({
    interval: Duration.optional(),
    rules: z.record(z.string(), RuleConfig).optional(),
  })
  .strict();

export const HostConfig = z
  .object({
    name: HostName,
    address: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[A-Za-z0-9.:_-]+$/, 'expected a host name, an IP address or `local`'),
    port: z.number().int().min(1).max(65535).default(22),
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_.-]{0,31}$/, 'expected a Unix user name')
      .default('root'),
    privateKey: z.string().min(1).optional(),
    hostKey: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'expected a fingerprint like SHA256:… as `ssh-keygen -lf` prints it')
      .optional(),
    knownHosts: z.string().min(1).optional(),
    sudo: z.boolean().default(false),
    dockerSocket: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]+$/, 'expected an absolute socket path')
      .default('/var/run/docker.sock'),
    groups: z.array(GroupName).default([]),
    channel: SlackChannel.optional(),
    monitor: HostMonitorConfig.optional(),
  })
  .strict()
  .superRefine((host, ctx) => {
    if (host.address === 'local') return;
    if (!host.privateKey) {
      ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'an SSH host needs privateKey (a key file path)' });
    }
    if (!host.hostKey && !host.knownHosts) {
      ctx.addIssue({
        code: 'custom',
        path: ['hostKey'],
        message: 'pin the host key: set hostKey ("SHA256:…" from `ssh-keygen -lf`) or knownHosts (a file)',
      });
    }
  });
export type HostConfig = z.infer<typeof HostConfig>;

/** The roles of `access`, weakest first (src/approvals/policy.ts decides what each may do). */
export const RoleName = z.enum(['viewer', 'operator', 'admin']);

/**
 * Per-user token bucket for commands that reach hosts: `capacity` tokens, one back every
 * `refillEvery`. A host costs 1; fleet targets cost more (src/queue/rateLimit.ts: commandCost).
 */
export const RateLimitConfig = z
  .object({
    capacity: z.number().int().min(1).max(10_000).default(10),
    refillEvery: Duration.default(30_000),
  })
  .strict();
export type RateLimitConfig = z.infer<typeof RateLimitConfig>;

export const AccessConfig = z
  .object({
    admins: z.array(SlackUser).default([]),
    operators: z.array(SlackUser).default([]),
    /** Nobody by default: read-only commands still show hosts, containers and findings. */
    viewers: z.array(SlackUser).default([]),
    /**
     * Per-subcommand role, overriding the subcommand's own (`logs: viewer`). The names are checked
     * against the registry (commands/index.ts: accessProblems) when the file is loaded.
     */
    commands: z.record(z.string(), RoleName).default({}),
    /** Channels commands are taken from; empty means any channel. */
    channels: z.array(SlackChannel).default([]),
    rateLimit: RateLimitConfig.default(RateLimitConfig.parse({})),
    twoPersonRule: z.boolean().default(true),
    approvalTtl: Duration.default(15 * 60_000),
  })
  .strict();
export type AccessConfig = z.infer<typeof AccessConfig>;

export const MonitorConfig = z
  .object({
    interval: Duration.default(60_000),
    channel: SlackChannel.optional(),
    /** Check ids; when absent, the checks marked monitorByDefault in the registry (checks/index.ts). */
    checks: z.array(z.string()).optional(),
    rules: z.record(z.string(), RuleConfig).default({}),
    watchdog: z
      .object({ autoStart: z.boolean().default(false) })
      .strict()
      .default({ autoStart: false }),
  })
  .strict();
export type MonitorConfig = z.infer<typeof MonitorConfig>;

export const MaintenanceConfig = z
  .object({
    hosts: z.array(z.string()).min(1),
    prune: z
      .object({ cron: z.string().min(9), timezone: z.string().default('UTC'), until: Duration.default(24 * 3_600_000) })
      .strict(),
  })
  .strict();
export type MaintenanceConfig = z.infer<typeof MaintenanceConfig>;

export const Timeouts = z
  .object({
    connect: Duration.default(10_000),
    command: Duration.default(30_000),
    keepalive: Duration.default(15_000),
    /** Longest a command, monitor or fleet job may run in all; then it is given up and the requester told. */
    job: Duration.default(5 * 60_000),
    /** Longest a fix or scheduled prune may run in all (a runbook step may take minutes). */
    fix: Duration.default(20 * 60_000),
  })
  .strict();

/** Settings shared by every host of a group (`groups: { prod: { monitor: { interval: 30s } } }`). */
export const GroupConfig = z.object({ monitor: HostMonitorConfig.optional() }).strict();
export type GroupConfig = z.infer<typeof GroupConfig>;

export const DockmedicConfig = z
  .object({
    hosts: z.array(HostConfig).default([]),
    /** Per-group overrides; a host's own block wins, then its first group that has one, then the global one. */
    groups: z.record(GroupName, GroupConfig).default({}),
    access: AccessConfig.default(AccessConfig.parse({})),
    monitor: MonitorConfig.default(MonitorConfig.parse({})),
    maintenance: z.array(MaintenanceConfig).default([]),
    timeouts: Timeouts.default(Timeouts.parse({})),
    /** How many commands may run at once on one host: below OpenSSH's MaxSessions (10). */
    hostConcurrency: z.number().int().min(1).max(9).default(4),
    /** Jobs one worker process runs at once: a fleet run of N hosts takes about ceil(N / this) rounds. */
    workerConcurrency: z.number().int().min(1).max(256).default(32),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.hosts.forEach((host, index) => {
      if (seen.has(host.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['hosts', index, 'name'],
          message: `host name "${host.name}" is used twice`,
        });
      }
      seen.add(host.name);
    });
  });
export type DockmedicConfig = z.infer<typeof DockmedicConfig>;
