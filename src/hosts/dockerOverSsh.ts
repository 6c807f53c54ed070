// The Docker Engine API over the host's existing SSH connection: every HTTP request gets its own
// `direct-streamlocal` channel to the daemon's socket (as `ssh -L` would), so there is one SSH
// login per host instead of one per request, and no docker CLI is needed on the host.

import http from 'node:http';
import { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { Client, ClientChannel } from 'ssh2';
import type { HostConfig } from '../config/schema.ts';
import { ANSWER_MAX_BYTES, type AnswerLimits, answerGuard } from './answerLimits.ts';
import {
  connectionLostError,
  dockerAnswerTooLargeError,
  dockerDeadlineError,
  dockerForwardingRefusedError,
  dockerTimeoutError,
  dockerUnavailableError,
} from './hostErrors.ts';
import type { Limiter, Release } from './limiter.ts';

/** SSH_OPEN_ADMINISTRATIVELY_PROHIBITED: sshd does not allow forwarding to a socket at all. */
const OPEN_ADMINISTRATIVELY_PROHIBITED = 1;

export interface DockerOverSshOptions {
  client: Client;
  host: HostConfig;
  /** The connection's limiter: Docker channels count against the same per-host budget. */
  limiter: Limiter;
  /** A request silent for this long, or still answering after it, is destroyed with dm_host_timeout. */
  requestTimeoutMs: number;
  /** Bytes one answer may have (default ANSWER_MAX_BYTES); past it: dm_answer_too_large. */
  answerMaxBytes?: number;
  isAlive: () => boolean;
}

export function createDockerOverSsh(options: DockerOverSshOptions): Docker {
  const agent = new StreamLocalAgent(options);
  // `socketPath` only makes docker-modem build plain paths; the agent decides where bytes go.
  // docker-modem honours `agent`, but @types/dockerode does not list it.
  const dockerOptions: Docker.DockerOptions & { agent: http.Agent } = { socketPath: options.host.dockerSocket, agent };
  return new Docker(dockerOptions);
}

type ConnectionCallback = (error: Error | null, socket: Duplex) => void;

/** An http.Agent whose "sockets" are SSH channels to the remote Docker socket. */
export class StreamLocalAgent extends http.Agent {
  readonly #options: DockerOverSshOptions;

  constructor(options: DockerOverSshOptions) {
    // No keep-alive: each request's channel closes with its response, so idle channels never hold slots.
    super({ keepAlive: false });
    this.#options = options;
  }

  override createConnection(_request: http.ClientRequestArgs, callback?: ConnectionCallback): undefined {
    const done = callback as ConnectionCallback;
    const fail = (error: Error) => done(error, undefined as unknown as Duplex);
    this.#open().then((socket) => done(null, socket), fail);
    return undefined;
  }

  async #open(): Promise<Duplex> {
    const { client, host, limiter, requestTimeoutMs, isAlive } = this.#options;
    const maxBytes = this.#options.answerMaxBytes ?? ANSWER_MAX_BYTES;
    if (!isAlive()) throw connectionLostError(host);
    const waited = AbortSignal.timeout(requestTimeoutMs);
    let release: Release;
    try {
      release = await limiter.acquire({ signal: waited });
    } catch (cause) {
      if (waited.aborted) throw dockerTimeoutError(host, requestTimeoutMs);
      throw cause;
    }
    try {
      const channel = await openChannel(client, host);
      return new ChannelSocket(channel, {
        idleTimeoutMs: requestTimeoutMs,
        onTimeout: () => dockerTimeoutError(host, requestTimeoutMs),
        onClosed: release,
        limits: {
          maxBytes,
          deadlineMs: requestTimeoutMs,
          onTooLarge: () => dockerAnswerTooLargeError(host, maxBytes),
          onDeadline: () => dockerDeadlineError(host, requestTimeoutMs),
        },
      });
    } catch (error) {
      release();
      throw error;
    }
  }
}

function openChannel(client: Client, host: HostConfig): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.openssh_forwardOutStreamLocal(host.dockerSocket, (error, channel) => {
        if (!error) return resolve(channel);
        // ssh2 reports a socket nobody listens on as "(SSH) Channel open failure: open failed".
        if (/channel open failure/i.test(error.message)) {
          const reason = (error as { reason?: unknown }).reason;
          if (reason === OPEN_ADMINISTRATIVELY_PROHIBITED) return reject(dockerForwardingRefusedError(host, error));
          return reject(dockerUnavailableError(host, error));
        }
        reject(connectionLostError(host, error));
      });
    } catch (cause) {
      // ssh2 throws synchronously when the connection is already gone.
      reject(connectionLostError(host, cause));
    }
  });
}

interface ChannelSocketOptions {
  idleTimeoutMs: number;
  onTimeout: () => Error;
  /** Called once, when the channel is really closed: gives the limiter slot back. */
  onClosed: () => void;
  /** Byte cap and total deadline of the answer (answerLimits.ts). */
  limits?: AnswerLimits;
}

/**
 * Adapts an ssh2 channel to the socket interface http.ClientRequest expects. The important part
 * is `_destroy`: an ssh2 channel only emits 'close' after its data is consumed, so a request
 * aborted mid-response must drain the channel, or its slot leaks and later calls hang.
 */
export class ChannelSocket extends Duplex {
  readonly #channel: ClientChannel;
  readonly #options: ChannelSocketOptions;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #guard: ReturnType<typeof answerGuard> | undefined;
  #socketTimeoutMs = 0;
  #socketTimer: NodeJS.Timeout | undefined;
  // http.ClientRequest looks at these on real sockets.
  readonly connecting = false;
  readonly remoteAddress = '127.0.0.1';

  constructor(channel: ClientChannel, options: ChannelSocketOptions) {
    super({ allowHalfOpen: true });
    this.#channel = channel;
    this.#options = options;
    this.#guard = options.limits ? answerGuard(this, options.limits) : undefined;
    channel.on('data', (chunk: Buffer) => this.#onData(chunk));
    channel.on('end', () => {
      if (!this.destroyed) this.push(null);
    });
    channel.on('error', (error: Error) => this.destroy(error));
    channel.once('close', () => {
      options.onClosed();
      if (!this.destroyed) this.destroy();
    });
    this.#touch();
  }

  #onData(chunk: Buffer): void {
    // After destroy the bytes are read and dropped: that is what lets the channel close.
    if (this.destroyed) return;
    this.#touch();
    this.#guard?.count(chunk.length);
    if (this.destroyed) return;
    if (!this.push(chunk)) this.#channel.pause();
  }

  /** Restarts the idle timers: the request deadline and any timeout http itself asked for. */
  #touch(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.destroy(this.#options.onTimeout()), this.#options.idleTimeoutMs).unref();
    if (this.#socketTimeoutMs > 0) {
      clearTimeout(this.#socketTimer);
      this.#socketTimer = setTimeout(() => this.emit('timeout'), this.#socketTimeoutMs);
    }
  }

  override _read(): void {
    this.#channel.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#touch();
    this.#channel.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Half-close only: the daemon still has to answer.
    this.#channel.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#socketTimer);
    this.#guard?.stop();
    this.#channel.resume();
    this.#channel.close();
    callback(error);
  }

  /** net.Socket#setTimeout semantics: emit 'timeout' after `ms` without traffic. */
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.#socketTimeoutMs = ms;
    clearTimeout(this.#socketTimer);
    if (onTimeout) this.once('timeout', onTimeout);
    if (ms > 0) this.#socketTimer = setTimeout(() => this.emit('timeout'), ms);
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}
