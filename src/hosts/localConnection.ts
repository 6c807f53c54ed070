// `address: local`: this machine, no SSH. Same contract as SshConnection (timeouts, output cap,
// `sudo -n`, concurrency limit, error codes) so checks cannot tell the difference.

import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { constants as osConstants, userInfo } from 'node:os';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { HostConfig } from '../config/schema.ts';
import { ANSWER_MAX_BYTES, answerGuard } from './answerLimits.ts';
import { commandLine, throwIfSudoRefused } from './commandLine.ts';
import {
  commandTimeoutError,
  dockerAnswerTooLargeError,
  dockerDeadlineError,
  dockerTimeoutError,
  dockerUnavailableError,
  where,
} from './hostErrors.ts';
import { Limiter, type Release } from './limiter.ts';
import { OutputCollector } from './output.ts';
import type { ShellCommand } from './shell.ts';
import type { ConnectionSettings, ExecOptions, ExecResult, ManagedConnection } from './types.ts';

/** Socket errors that mean "no daemon behind this path", as opposed to a broken request. */
const DAEMON_ABSENT_CODES = new Set(['ECONNREFUSED', 'ENOENT']);

export class LocalConnection implements ManagedConnection {
  readonly host: HostConfig;
  readonly transport = 'local' as const;
  readonly #settings: ConnectionSettings;
  readonly #limiter: Limiter;
  #alive = true;
  #docker: Docker | undefined;

  constructor(host: HostConfig, settings: ConnectionSettings) {
    this.host = host;
    this.#settings = settings;
    this.#limiter = new Limiter(settings.hostConcurrency);
  }

  get alive(): boolean {
    return this.#alive;
  }

  get commandTimeoutMs(): number {
    return this.#settings.timeouts.command;
  }

  async exec(command: ShellCommand, options: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.#settings.timeouts.command;
    const deadline = AbortSignal.timeout(timeoutMs);
    let release: Release;
    try {
      release = await this.#limiter.acquire({ signal: deadline });
    } catch {
      throw commandTimeoutError(this.host, timeoutMs);
    }
    const result = await runLocal(commandLine(this.host, command, options), {
      deadline,
      release,
      timeoutMs,
      host: this.host,
      onOutput: options.onOutput,
      input: options.input,
    });
    return throwIfSudoRefused(this.host, userInfo().username, options, result);
  }

  docker(): Docker {
    this.#docker ??= createLocalDocker(this.host, this.#limiter, this.#settings.timeouts.command);
    return this.#docker;
  }

  async close(): Promise<void> {
    this.#alive = false;
  }

  toString(): string {
    return `LocalConnection(${where(this.host)})`;
  }
}

interface LocalRun {
  deadline: AbortSignal;
  release: Release;
  timeoutMs: number;
  host: HostConfig;
  onOutput: ExecOptions['onOutput'];
  input: ExecOptions['input'];
}

function runLocal(line: string, run: LocalRun): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout = new OutputCollector();
    const stderr = new OutputCollector();
    // Own process group, so a timeout kills the whole pipeline, not only `sh`.
    const child = spawn('sh', ['-c', line], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    // EOF on stdin after the input, if any. A command that exits without reading all of it makes
    // the write fail (EPIPE): that is the command's business, not an error of ours.
    child.stdin.on('error', () => {});
    child.stdin.end(run.input);
    let timedOut = false;
    const onDeadline = () => {
      timedOut = true;
      killGroup(child.pid);
      reject(commandTimeoutError(run.host, run.timeoutMs));
    };
    run.deadline.addEventListener('abort', onDeadline, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      run.onOutput?.('stdout', chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      run.onOutput?.('stderr', chunk);
    });
    child.once('error', (cause) => {
      run.deadline.removeEventListener('abort', onDeadline);
      run.release();
      reject(new Error(`while starting sh on ${run.host.name}`, { cause }));
    });
    child.once('close', (code, signal) => {
      run.deadline.removeEventListener('abort', onDeadline);
      run.release();
      if (timedOut) return;
      const result: ExecResult = { stdout: stdout.text(), stderr: stderr.text(), code: code ?? signalCode(signal) };
      if (stdout.truncated || stderr.truncated) result.truncated = true;
      resolve(result);
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

function signalCode(signal: NodeJS.Signals | null): number {
  if (!signal) return 255;
  const number = osConstants.signals[signal];
  return 128 + number;
}

/** dockerode on the local socket, through an agent that maps "no daemon" and silence to our errors. */
export function createLocalDocker(
  host: HostConfig,
  limiter: Limiter,
  requestTimeoutMs: number,
  answerMaxBytes: number = ANSWER_MAX_BYTES,
): Docker {
  const agent = new LocalSocketAgent(host, limiter, requestTimeoutMs, answerMaxBytes);
  // docker-modem honours `agent`, but @types/dockerode does not list it.
  const options: Docker.DockerOptions & { agent: http.Agent } = { socketPath: host.dockerSocket, agent };
  return new Docker(options);
}

type ConnectionCallback = (error: Error | null, socket: Duplex) => void;

class LocalSocketAgent extends http.Agent {
  readonly #host: HostConfig;
  readonly #limiter: Limiter;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;

  constructor(host: HostConfig, limiter: Limiter, timeoutMs: number, maxBytes: number) {
    super({ keepAlive: false });
    this.#host = host;
    this.#limiter = limiter;
    this.#timeoutMs = timeoutMs;
    this.#maxBytes = maxBytes;
  }

  override createConnection(_request: http.ClientRequestArgs, callback?: ConnectionCallback): undefined {
    const done = callback as ConnectionCallback;
    this.#open().then(
      (socket) => done(null, socket),
      (error: Error) => done(error, undefined as unknown as Duplex),
    );
    return undefined;
  }

  async #open(): Promise<net.Socket> {
    const waited = AbortSignal.timeout(this.#timeoutMs);
    let release: Release;
    try {
      release = await this.#limiter.acquire({ signal: waited });
    } catch {
      throw dockerTimeoutError(this.#host, this.#timeoutMs);
    }
    try {
      const socket = await connectUnix(this.#host);
      socket.once('close', release);
      // Silence for the whole timeout ends the request with dm_host_timeout instead of a hang.
      socket.setTimeout(this.#timeoutMs, () => socket.destroy(dockerTimeoutError(this.#host, this.#timeoutMs)));
      // So does an answer still coming after it, or one past the byte cap (answerLimits.ts).
      const guard = answerGuard(socket, {
        maxBytes: this.#maxBytes,
        deadlineMs: this.#timeoutMs,
        onTooLarge: () => dockerAnswerTooLargeError(this.#host, this.#maxBytes),
        onDeadline: () => dockerDeadlineError(this.#host, this.#timeoutMs),
      });
      // A listener of its own counts without taking data from http: every 'data' listener sees each chunk.
      socket.on('data', (chunk: Buffer) => guard.count(chunk.length));
      socket.once('close', () => guard.stop());
      return socket;
    } catch (error) {
      release();
      throw error;
    }
  }
}

function connectUnix(host: HostConfig): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path: host.dockerSocket });
    socket.once('connect', () => resolve(socket));
    // Kept after connect too (a no-op then): an error before http attaches its listener must not crash.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code && DAEMON_ABSENT_CODES.has(error.code)) return reject(dockerUnavailableError(host, error));
      reject(new Error(`while connecting to ${host.dockerSocket} on ${host.name}`, { cause: error }));
    });
  });
}
