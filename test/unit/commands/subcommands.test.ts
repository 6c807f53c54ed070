import { describe, expect, it } from 'vitest';
import { containerArg, imageArg, singleHost, TAIL_DEFAULT, takeTail } from '../../../commands/args.ts';
import { imageDepsCommand } from '../../../commands/image-deps.ts';
import { COMMANDS } from '../../../commands/index.ts';
import { logsCommand } from '../../../commands/logs.ts';
import { tokenize } from '../../../commands/parse.ts';
import { pruneCommand } from '../../../commands/prune.ts';
import { psCommand } from '../../../commands/ps.ts';
import type { CommandServices } from '../../../commands/services.ts';
import type { AuditLog } from '../../../src/audit/log.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { COMMAND_NAMES, CommandArgs, type CommandJob, type FleetJob } from '../../../src/queue/payloads.ts';
import { JOB_HANDLERS } from '../../../workers/command/index.ts';

function fakeServices() {
  const commands: CommandJob[] = [];
  const fleets: FleetJob[] = [];
  const config = parseConfig(
    {
      hosts: [
        { name: 'h1', address: 'local', groups: ['web'] },
        { name: 'h2', address: 'local', groups: ['web'] },
      ],
      access: { viewers: ['*'] },
    },
    'test',
    process.cwd(),
  );
  const services: CommandServices = {
    config: { current: () => config },
    queues: {
      enqueueCommand: async (job) => {
        commands.push(job);
        return 'job-1';
      },
      enqueueFleet: async (job) => {
        fleets.push(job);
        return 'job-2';
      },
    },
    audit: { append: async () => undefined } as unknown as AuditLog,
    admission: {
      inflight: { claim: async () => ({ ok: true }), release: async () => undefined },
      rate: { take: async () => ({ ok: true }), refund: async () => undefined },
    },
    commands: [],
    newRequestId: () => 'rq-abcdef12',
  };
  return { services, commands, fleets };
}

const request = { userId: 'UOPS1', channelId: 'CTEST0001', text: '' };

describe('takeTail', () => {
  it.each([
    [['h1', 'web'], TAIL_DEFAULT, ['h1', 'web']],
    [['h1', 'web', '--tail', '1'], 1, ['h1', 'web']],
    [['h1', 'web', '--tail', '5000'], 5000, ['h1', 'web']],
    [['h1', '--tail', '20', 'web'], 20, ['h1', 'web']],
    [['--tail=300', 'h1', 'web'], 300, ['h1', 'web']],
  ])('reads %j as tail %i', (words, tail, rest) => {
    expect(takeTail(words)).toEqual({ tail, rest });
  });

  it.each([
    [['h1', 'web', '--tail']],
    [['h1', 'web', '--tail', '0']],
    [['h1', 'web', '--tail', '5001']],
    [['h1', 'web', '--tail', '-5']],
    [['h1', 'web', '--tail', '1e3']],
    [['h1', 'web', '--tail', '0x10']],
    [['h1', 'web', '--tail', '12.5']],
    [['h1', 'web', '--tail=']],
    [['h1', 'web', '--tail', '99999999999']],
  ])('refuses %j with the allowed range', (words) => {
    expect(() => takeTail(words)).toThrow(/1 to 5000|from 1 to 5000/);
  });

  it('refuses --tail given twice and unknown options', () => {
    expect(() => takeTail(['h1', 'web', '--tail', '5', '--tail', '6'])).toThrow(/twice/);
    expect(() => takeTail(['h1', 'web', '-f'])).toThrow(/only one is `--tail N`/);
    expect(() => takeTail(['h1', 'web', '--follow'])).toThrow(/not an option/);
  });
});

describe('container and image references', () => {
  it.each([['web'], ['web-1'], ['my_app.worker'], ['3f2a1b'], ['a'.repeat(64)]])('accepts container %j', (ref) => {
    expect(containerArg(ref)).toBe(ref);
  });

  it.each([['-rm'], ['.hidden'], ['../etc'], ['web/1'], ['web:1'], ['web=1'], ['@web'], ['a'.repeat(129)]])(
    'refuses container %j',
    (ref) => {
      expect(() => containerArg(ref)).toThrow(/not a container name or id/);
    },
  );

  it.each([['busybox:local'], ['nginx'], ['registry/app:1.2'], [`sha256:${'a'.repeat(64)}`], ['3f2a1b4c5d6e']])(
    'accepts image %j',
    (ref) => {
      expect(imageArg(ref)).toBe(ref);
    },
  );

  it.each([['-f'], ['Nginx'], ['nginx:'], ['../x'], ['_x'], ['x:y:z'], ['nginx@sha256']])('refuses image %j', (ref) => {
    expect(() => imageArg(ref)).toThrow(/not an image reference/);
  });

  it.each([['logs h1 web;id'], ['logs h1 $(id)'], ['logs h1 `id`'], ['image-deps h1 "busybox"'], ['logs h1 web|sh']])(
    'tokenize refuses hostile text %j before any command sees it',
    (text) => {
      expect(() => tokenize(text)).toThrow(/letters, digits/);
    },
  );

  it.each([['all'], ['@web']])('singleHost refuses the fleet target %j', (target) => {
    expect(() => singleHost(target, 'logs')).toThrow(/one host at a time/);
  });
});

describe('ps, logs, prune and image-deps subcommands', () => {
  it('queues logs with a validated container and tail, which the payload schema accepts', async () => {
    const { services, commands } = fakeServices();

    const reply = await logsCommand.run(['h1', 'web', '--tail', '50'], request, services);

    expect(reply.text).toContain('Queued logs on h1');
    expect(commands).toHaveLength(1);
    expect(commands[0]?.args).toEqual({ container: 'web', tail: 50 });
    expect(CommandArgs.parse(commands[0]?.args)).toEqual({ container: 'web', tail: 50 });
  });

  it('queues logs with the default tail of 100', async () => {
    const { services, commands } = fakeServices();

    await logsCommand.run(['h1', 'web'], request, services);

    expect(commands[0]?.args).toEqual({ container: 'web', tail: 100 });
  });

  it.each([
    [logsCommand, ['all', 'web']],
    [logsCommand, ['@web', 'web']],
    [imageDepsCommand, ['all', 'busybox:local']],
    [imageDepsCommand, ['@web', 'busybox:local']],
  ])('%# refuses a fleet target with a clear message and queues nothing', async (command, args) => {
    const { services, commands, fleets } = fakeServices();

    await expect(command.run(args, request, services)).rejects.toThrow(/one host at a time/);
    expect(commands).toHaveLength(0);
    expect(fleets).toHaveLength(0);
  });

  it.each([
    [logsCommand, ['h1'], /missing an argument/],
    [logsCommand, ['h1', 'web', 'extra'], /too many arguments/],
    [imageDepsCommand, ['h1'], /missing an argument/],
    [psCommand, [], /missing an argument/],
    [pruneCommand, ['h1', 'h2'], /too many arguments/],
  ])('%# says what is wrong with the arguments', async (command, args, message) => {
    const { services } = fakeServices();

    await expect(command.run(args, request, services)).rejects.toThrow(message);
  });

  it('queues image-deps with the image', async () => {
    const { services, commands } = fakeServices();

    await imageDepsCommand.run(['h1', 'busybox:local'], request, services);

    expect(commands[0]?.args).toEqual({ image: 'busybox:local' });
  });

  it.each([
    [psCommand, 'ps'],
    [pruneCommand, 'prune'],
  ])('%# fans out over @group and all as a fleet run', async (command, name) => {
    const { services, fleets } = fakeServices();

    await command.run(['@web'], request, services);
    await command.run(['all'], request, services);

    expect(fleets.map((job) => [job.command, job.target, job.hosts])).toEqual([
      [name, '@web', ['h1', 'h2']],
      [name, 'all', ['h1', 'h2']],
    ]);
  });

  it('is read-only for every subcommand: prune runs only from its approval button', () => {
    for (const command of [psCommand, pruneCommand, imageDepsCommand]) {
      expect(command.minRole).toBe('viewer');
    }
  });

  it('shows container logs only to operators by default: logs may hold what env vars do not', () => {
    expect(logsCommand.minRole).toBe('operator');
  });
});

describe('the command names', () => {
  it('are one list: every queued command is a registered subcommand with a worker handler', () => {
    const registered = COMMANDS.map((command) => command.name);

    for (const name of COMMAND_NAMES) {
      expect(registered).toContain(name);
      expect(JOB_HANDLERS[name]).toBeTypeOf('function');
    }
  });
});
