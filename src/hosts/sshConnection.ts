// One SSH connection to one host, shared by shell commands and the Docker API. Commands and Docker
// channels take a slot from one limiter so we never reach OpenSSH's MaxSessions. When the link
// drops, everything in flight fails with a retryable error and `alive` turns false: the pool then
// opens a new connection on the next acquire.

import { readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import type Docker from 'dockerode';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { HostConfig } from '../config/schema.ts';
import { isDockmedicError } from '../errors.ts';
import { log } from '../log.ts';
import { commandLine, throwIfSudoRefused } from './commandLine.ts';
import { createDockerOverSsh } from './dockerOverSsh.ts';
import {
  commandTimeoutError,
  connectError,
  connectionLostError,
  knownHostsUnreadableError,
  privateKeyUnreadableError,
  privateKeyUnusableError,
  where,
} from './hostErrors.ts';
import { hostKeyMismatchError, verifyHostKey } from './hostKey.ts';
import { Limiter, type Release } from './limiter.ts';
import { OutputCollector } from './output.ts';
import type { ShellCommand } from './shell.ts';
import type { ConnectionSettings, ExecOptions, ExecResult, ManagedConnection } from './types.ts';

/** ssh2 gives up after this many unanswered keepalives and closes the connection. */
const KEEPALIVE_COUNT_MAX = 3;

/**
 * How long a timed-out command gets to die after SIGKILL. sshd holds the session (and its
 * MaxSessions place) until the process exits, and refuses signals on root logins; a command still
 * running after this retires the whole connection instead of leaking its slot.
 */
const KILL_GRACE_MS = 2000;

export class SshConnection implements ManagedConnection {
  readonly host: HostConfig;
  readonly transport = 'ssh' as const;
  readonly hostKeyFingerprint: string;
  readonly #client: Client;
  readonly #settings: ConnectionSettings;
  readonly #limiter: Limiter;
  /** Fails every command in flight when the connection drops. */
  readonly #inFlight = new Set<(error: Error) => void>();
  #alive = true;
  /** Set when a command would not die: no new work, closed once the last slot is back. */
  #retiring = false;
  #docker: Docker | undefined;

  private constructor(host: HostConfig, client: Client, settings: ConnectionSettings, fingerprint: string) {
    this.host = host;
    this.#client = client;
    this.#settings = settings;
    this.hostKeyFingerprint = fingerprint;
    this.#limiter = new Limiter(settings.hostConcurrency, () => this.#closeIfRetired());
    client.on('error', (error) => this.#dropped(error));
    client.on('end', () => this.#dropped());
    client.on('close', () => this.#dropped());
  }

  /** Connects, verifies the host key and logs in; throws a DockmedicError saying what failed. */
  static async open(host: HostConfig, settings: ConnectionSettings): Promise<SshConnection> {
    const privateKey = await readPrivateKey(host);
    const knownHostsText = await readKnownHosts(host);
    const client = new Client();
    let offered: string | undefined;
    let refused = false;
    const hostVerifier = (key: Buffer): boolean => {
      const verdict = verifyHostKey(host, key, knownHostsText);
      offered = verdict.fingerprint;
      refused = !verdict.accepted;
      return verdict.accepted;
    };
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('ready', resolve);
        client.once('error', reject);
        connectOrThrow(client, host, {
          host: host.address,
          port: host.port,
          username: host.user,
          privateKey,
          hostVerifier,
          readyTimeout: settings.timeouts.connect,
          keepaliveInterval: settings.timeouts.keepalive,
          keepaliveCountMax: KEEPALIVE_COUNT_MAX,
          // Only the configured key: never an agent or a password prompt.
          tryKeyboard: false,
        });
      });
    } catch (cause) {
      client.removeAllListeners('ready');
      // ssh2 may report more after the first error ("Connection lost before handshake").
      client.on('error', () => {});
      client.end();
      if (refused && offered) throw hostKeyMismatchError(host, offered, cause);
      if (isDockmedicError(cause)) throw cause;
      throw connectError(host, cause, settings.timeouts.connect);
    }
    client.removeAllListeners('ready');
    client.removeAllListeners('error');
    log.debug({ host: host.name, fingerprint: offered }, 'ssh connected');
    return new SshConnection(host, client, settings, offered as string);
  }

  get commandTimeoutMs(): number {
    return this.#settings.timeouts.command;
  }

  /** False once dropped, closed or retiring: the pool then opens a new connection. */
  get alive(): boolean {
    return this.#alive && !this.#retiring;
  }

  async exec(command: ShellCommand, options: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.#settings.timeouts.command;
    // The timeout covers waiting for a slot too: a caller never waits longer than it asked for.
    const deadline = AbortSignal.timeout(timeoutMs);
    if (!this.alive) throw connectionLostError(this.host);
    let release: Release;
    try {
      release = await this.#limiter.acquire({ signal: deadline });
    } catch (cause) {
      if (deadline.aborted) throw commandTimeoutError(this.host, timeoutMs);
      throw cause;
    }
    if (!this.alive) {
      release();
      throw connectionLostError(this.host);
    }
    const result = await this.#run(commandLine(this.host, command, options), {
      timeoutMs,
      deadline,
      release,
      onOutput: options.onOutput,
      input: options.input,
    });
    return throwIfSudoRefused(this.host, this.host.user, options, result);
  }

  /**
   * Runs one command on its own channel. A timeout rejects at once; the slot is given back only
   * when the channel is really closed (or the link is gone), so MaxSessions is never overrun.
   */
  #run(
    line: string,
    run: {
      timeoutMs: number;
      deadline: AbortSignal;
      release: Release;
      onOutput: ExecOptions['onOutput'];
      input: ExecOptions['input'];
    },
  ): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      const stdout = new OutputCollector();
      const stderr = new OutputCollector();
      let channel: ClientChannel | undefined;
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        run.deadline.removeEventListener('abort', onDeadline);
        outcome();
      };
      const closeChannel = () => {
        if (!channel) return;
        // Ask the remote process to die, then close. sshd keeps a session (and its MaxSessions
        // place) until the process exits, so the slot is only given back on the channel's 'close'.
        killRemote(channel);
        channel.close();
      };
      let closed = false;
      const onDeadline = () => {
        settle(() => reject(commandTimeoutError(this.host, run.timeoutMs)));
        closeChannel();
        setTimeout(() => {
          if (closed) return;
          this.#retire();
          run.release();
        }, KILL_GRACE_MS).unref();
      };
      const onDrop = (error: Error) => {
        this.#inFlight.delete(onDrop);
        run.release();
        settle(() => reject(error));
      };
      run.deadline.addEventListener('abort', onDeadline, { once: true });
      this.#inFlight.add(onDrop);
      const onOpened = (error: Error | undefined, opened: ClientChannel) => {
        if (error) return onDrop(connectionLostError(this.host, error));
        channel = opened;
        opened.on('data', (chunk: Buffer) => {
          stdout.push(chunk);
          run.onOutput?.('stdout', chunk);
        });
        opened.stderr.on('data', (chunk: Buffer) => {
          stderr.push(chunk);
          run.onOutput?.('stderr', chunk);
        });
        opened.on('error', () => closeChannel());
        opened.on('close', (code: number | null, signal?: string) => {
          closed = true;
          this.#inFlight.delete(onDrop);
          run.release();
          const truncated = stdout.truncated || stderr.truncated;
          const result: ExecResult = { stdout: stdout.text(), stderr: stderr.text(), code: exitCode(code, signal) };
          if (truncated) result.truncated = true;
          settle(() => resolve(result));
        });
        // EOF on stdin after the input, if any: a command that waits for more does not hang.
        if (run.input === undefined) opened.end();
        else opened.end(run.input);
        // The deadline passed while the channel was opening.
        if (settled) closeChannel();
      };
      try {
        this.#client.exec(line, onOpened);
      } catch (cause) {
        onDrop(connectionLostError(this.host, cause));
      }
    });
  }

  docker(): Docker {
    this.#docker ??= createDockerOverSsh({
      client: this.#client,
      host: this.host,
      limiter: this.#limiter,
      requestTimeoutMs: this.#settings.timeouts.command,
      isAlive: () => this.alive,
    });
    return this.#docker;
  }

  async close(): Promise<void> {
    if (!this.#alive) return;
    const closed = new Promise<void>((resolve) => this.#client.once('close', () => resolve()));
    this.#dropped();
    this.#client.end();
    // If the peer never answers our disconnect, do not wait forever.
    const timer = setTimeout(() => this.#client.destroy(), 1000);
    await closed;
    clearTimeout(timer);
  }

  /** Stops taking work; the pool opens a fresh connection, this one closes when it is idle. */
  #retire(): void {
    if (this.#retiring) return;
    this.#retiring = true;
    log.warn({ host: this.host.name }, 'remote command survived its timeout; replacing the connection');
    this.#limiter.rejectWaiting(connectionLostError(this.host));
    this.#closeIfRetired();
  }

  #closeIfRetired(): void {
    if (!this.#retiring || this.#limiter.active > 0) return;
    void this.close();
  }

  #dropped(cause?: unknown): void {
    if (!this.#alive) return;
    this.#alive = false;
    if (cause) log.warn({ host: this.host.name, err: cause }, 'ssh connection dropped');
    const error = connectionLostError(this.host, cause);
    this.#limiter.rejectWaiting(error);
    for (const fail of [...this.#inFlight]) fail(error);
    this.#client.end();
  }

  toString(): string {
    return `SshConnection(${where(this.host)})`;
  }
}

/** ssh2 throws synchronously for a key it cannot use (bad format, passphrase-protected). */
function connectOrThrow(client: Client, host: HostConfig, config: ConnectConfig): void {
  try {
    client.connect(config);
  } catch (cause) {
    throw privateKeyUnusableError(host, cause);
  }
}

async function readPrivateKey(host: HostConfig): Promise<Buffer> {
  if (!host.privateKey) throw privateKeyUnreadableError(host, new Error('no privateKey configured'));
  try {
    return await readFile(host.privateKey);
  } catch (cause) {
    throw privateKeyUnreadableError(host, cause);
  }
}

async function readKnownHosts(host: HostConfig): Promise<string | undefined> {
  if (!host.knownHosts) return undefined;
  try {
    return await readFile(host.knownHosts, 'utf8');
  } catch (cause) {
    throw knownHostsUnreadableError(host, cause);
  }
}

interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(id: number, name: string): void } };
}

/**
 * Sends SIGKILL to the remote command (OpenSSH delivers it to the process group). ssh2's public
 * `channel.signal()` refuses once we have sent EOF on stdin, which every exec does at once, so
 * this goes to ssh2's protocol object directly (ssh2 1.x internals; covered by the timeout test).
 */
function killRemote(channel: ClientChannel): void {
  const internals = channel as unknown as ChannelInternals;
  const state = internals.outgoing?.state;
  if (state !== 'open' && state !== 'eof') return;
  try {
    internals._client?._protocol?.signal(internals.outgoing?.id as number, 'KILL');
  } catch (error) {
    log.debug({ err: error }, 'could not signal a remote command');
  }
}

/** A process killed by a signal reports 128 + its number, as shells do. */
function exitCode(code: number | null | undefined, signal: string | undefined): number {
  if (typeof code === 'number') return code;
  const number = signal ? osConstants.signals[`SIG${signal}` as keyof typeof osConstants.signals] : undefined;
  return number === undefined ? 255 : 128 + number;
}
