import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { neededRole } from '../../../commands/access.ts';
import { accessProblems, COMMANDS, dispatch } from '../../../commands/index.ts';
import { logsCommand } from '../../../commands/logs.ts';
import type { CommandServices } from '../../../commands/services.ts';
import type { AuditEntry, AuditLog } from '../../../src/audit/log.ts';
import { loadConfigFile, parseConfig } from '../../../src/config/load.ts';
import { AccessConfig } from '../../../src/config/schema.ts';
import type { CommandJob } from '../../../src/queue/payloads.ts';
import type { CommandRequest } from '../../../src/slack/types.ts';

const CHANNEL = 'CTEST0001';

function services(access: Record<string, unknown>) {
  const config = parseConfig({ hosts: [{ name: 'h1', address: 'local' }], access }, 'test', process.cwd());
  const queued: CommandJob[] = [];
  const audited: Array<Omit<AuditEntry, 'at'>> = [];
  const built: CommandServices = {
    config: { current: () => config },
    queues: {
      enqueueCommand: async (job) => {
        queued.push(job);
        return job.requestId;
      },
      enqueueFleet: async () => 'fleet',
    },
    audit: {
      append: async (entry: Omit<AuditEntry, 'at'>) => {
        audited.push(entry);
      },
    } as unknown as AuditLog,
    admission: {
      inflight: { claim: async () => ({ ok: true }), release: async () => undefined },
      rate: { take: async () => ({ ok: true }), refund: async () => undefined },
    },
    commands: COMMANDS,
    newRequestId: () => 'rq-abcdef12',
  };
  return { services: built, queued, audited };
}

function ask(text: string, userId: string, channelId = CHANNEL): CommandRequest {
  return { text, userId, channelId };
}

describe('access defaults', () => {
  it('lists nobody as a viewer unless the config says so', () => {
    expect(AccessConfig.parse({}).viewers).toEqual([]);
  });

  it('refuses a workspace member who is not listed, and says what to do', async () => {
    // Arrange
    const { services: deps, queued } = services({ operators: ['UOPS1'] });
    // Act
    const reply = await dispatch(ask('ps h1', 'UNOBODY'), deps);
    // Assert
    expect(reply.text).toMatch(/needs the viewer role, and you are not listed in dockmedic access/);
    expect(queued).toEqual([]);
  });
});

describe('logs', () => {
  it('is refused to a viewer by default: container logs may hold secrets', async () => {
    // Arrange
    const { services: deps, queued, audited } = services({ operators: ['UOPS1'], viewers: ['*'] });
    // Act
    const viewer = await dispatch(ask('logs h1 web', 'UVIEW1'), deps);
    const operator = await dispatch(ask('logs h1 web', 'UOPS1'), deps);
    // Assert
    expect(viewer.text).toMatch(/`\/docker logs` needs the operator role, and you are a viewer/);
    expect(operator.text).toContain('Queued logs on h1');
    expect(queued.map((job) => job.userId)).toEqual(['UOPS1']);
    expect(audited).toContainEqual(expect.objectContaining({ actor: 'UVIEW1', action: 'refuse' }));
  });

  it('is open to viewers when access.commands says so', async () => {
    // Arrange
    const { services: deps, queued } = services({ viewers: ['*'], commands: { logs: 'viewer' } });
    // Act
    const reply = await dispatch(ask('logs h1 web', 'UVIEW1'), deps);
    // Assert
    expect(reply.text).toContain('Queued logs on h1');
    expect(queued).toHaveLength(1);
  });
});

describe('access.commands', () => {
  it('can raise a subcommand above its own role', async () => {
    // Arrange
    const { services: deps, queued } = services({ viewers: ['*'], operators: ['UOPS1'], commands: { ps: 'operator' } });
    // Act
    const viewer = await dispatch(ask('ps h1', 'UVIEW1'), deps);
    const operator = await dispatch(ask('ps h1', 'UOPS1'), deps);
    // Assert
    expect(viewer.text).toMatch(/needs the operator role/);
    expect(operator.text).toContain('Queued ps on h1');
    expect(queued).toHaveLength(1);
  });

  it('is what help shows', async () => {
    // Arrange
    const access = AccessConfig.parse({ viewers: ['*'], commands: { logs: 'viewer' } });
    const { services: deps } = services({ viewers: ['*'], commands: { logs: 'viewer' } });
    // Act
    const help = await dispatch(ask('help', 'UVIEW1'), deps);
    // Assert
    expect(neededRole(logsCommand, access)).toBe('viewer');
    expect(JSON.stringify(help)).toMatch(/logs HOST CONTAINER \[--tail N\]`[^_]*_\(viewer\)_/);
  });

  it.each([[{ logz: 'viewer' }], [{ Logs: 'viewer' }]])(
    'names an unknown subcommand %j as a config error',
    (commands) => {
      // Arrange
      const dir = mkdtempSync(path.join(tmpdir(), 'dm-access-'));
      const file = path.join(dir, 'dockmedic.yaml');
      writeFileSync(file, `access:\n  commands: ${JSON.stringify(commands)}\n`);
      try {
        // Act / Assert
        expect(() => loadConfigFile(file, accessProblems)).toThrow(
          new RegExp(
            `access\\.commands\\.${Object.keys(commands)[0]}: there is no /docker .*; the subcommands are help, hosts, diskcheck`,
          ),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('refuses a role that does not exist', () => {
    expect(() => parseConfig({ access: { commands: { logs: 'root' } } }, 'test', process.cwd())).toThrow(
      /access\.commands\.logs/,
    );
  });
});

describe('access.channels', () => {
  const access = { operators: ['UOPS1'], channels: ['COPS0001', 'COPS0002'] };

  it('takes commands in the listed channels only, and says where to go', async () => {
    // Arrange
    const { services: deps, queued, audited } = services(access);
    // Act
    const elsewhere = await dispatch(ask('ps h1', 'UOPS1', 'CRANDOM01'), deps);
    const listed = await dispatch(ask('ps h1', 'UOPS1', 'COPS0002'), deps);
    // Assert
    expect(elsewhere.text).toContain('dockmedic takes commands only in `COPS0001`, `COPS0002`');
    expect(listed.text).toContain('Queued ps on h1');
    expect(queued.map((job) => job.channelId)).toEqual(['COPS0002']);
    expect(audited).toContainEqual(expect.objectContaining({ action: 'refuse', actor: 'UOPS1' }));
  });

  it('answers help anywhere', async () => {
    // Arrange
    const { services: deps } = services(access);
    // Act
    const help = await dispatch(ask('help', 'UOPS1', 'CRANDOM01'), deps);
    // Assert
    expect(JSON.stringify(help)).toContain('diskcheck HOST');
  });

  it('refuses a channel id that is not one', () => {
    expect(() => parseConfig({ access: { channels: ['#ops'] } }, 'test', process.cwd())).toThrow(
      /access\.channels\[0\]/,
    );
  });
});

describe('accessProblems', () => {
  it('finds nothing wrong in a config that names registered subcommands', () => {
    const config = parseConfig({ access: { commands: { logs: 'viewer', doctor: 'operator' } } }, 'test', '.');

    expect(accessProblems(config)).toEqual([]);
  });
});
