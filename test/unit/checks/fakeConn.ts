// A HostConnection that answers shell commands from captured output and whose dockerd is down
// (every Engine API call fails the way a missing socket does): for the runner's own logic.

import type Docker from 'dockerode';
import { HostConfig } from '../../../src/config/schema.ts';
import type { ShellCommand } from '../../../src/hosts/shell.ts';
import type { ExecOptions, ExecResult, HostConnection } from '../../../src/hosts/types.ts';

export type Responder = (command: string, options?: ExecOptions) => ExecResult | Promise<ExecResult>;

export function fakeConnection(respond: Responder, docker?: Partial<Docker>): HostConnection & { commands: string[] } {
  const commands: string[] = [];
  const absent = () =>
    Promise.reject(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }));
  const down = { ping: absent, info: absent, df: absent, listContainers: absent } as unknown as Docker;
  return {
    host: HostConfig.parse({ name: 'web-1', address: 'local' }),
    transport: 'local',
    commands,
    async exec(command: ShellCommand, options?: ExecOptions) {
      commands.push(command);
      return respond(command, options);
    },
    docker: () => (docker as Docker | undefined) ?? down,
  };
}

export function ok(stdout: string): ExecResult {
  return { stdout, stderr: '', code: 0 };
}

export function failed(stderr: string, code = 1): ExecResult {
  return { stdout: '', stderr, code };
}
