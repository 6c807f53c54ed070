import type Docker from 'dockerode';
import type { HostConfig } from '../config/schema.ts';
import type { ShellCommand } from './shell.ts';

export interface ExecOptions {
  /** Per-command timeout; defaults to the configured command timeout. */
  timeoutMs?: number;
  /** Run as `sudo -n …` when the host is configured with `sudo: true`. */
  privileged?: boolean;
  /**
   * Sees each chunk of output as it arrives, before the output cap (the exec batcher splits a
   * batch's output into its commands' results as they finish). A connection may not call it.
   */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /**
   * Written to the command's stdin, which is then closed (without it stdin is closed at once).
   * Text sent this way never shows in the host's process table, unlike the command line: the
   * exec batcher sends its script, and the nonce framing its output, here.
   */
  input?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; a non-zero status is a result, not an error. */
  code: number;
  /** Set when stdout or stderr went past the output cap and the rest was dropped. */
  truncated?: boolean;
}

/**
 * One live link to a host: shell commands and the Docker Engine API over the same SSH connection
 * (or this machine for `address: local`). Connection trouble throws a DockmedicError
 * (dm_host_unreachable, dm_host_timeout, dm_host_key_mismatch, dm_auth_failed, dm_docker_unavailable).
 */
export interface HostConnection {
  readonly host: HostConfig;
  readonly transport: 'ssh' | 'local';
  /** The timeout an exec without `timeoutMs` gets (the config's `timeouts.command`), when known. */
  readonly commandTimeoutMs?: number;
  exec(command: ShellCommand, options?: ExecOptions): Promise<ExecResult>;
  /** A dockerode client whose HTTP requests go to `host.dockerSocket` through this connection. */
  docker(): Docker;
}

export interface HostPool {
  /** A pooled connection, opened (or reopened after a drop) on demand. */
  acquire(host: HostConfig): Promise<HostConnection>;
  /** Drops a host's pooled connection, e.g. after the config changed. */
  release(hostName: string): Promise<void>;
  closeAll(): Promise<void>;
}

/** What the pool needs on top of HostConnection to reuse, replace and close connections. */
export interface ManagedConnection extends HostConnection {
  /** False once the link dropped or was closed: the pool then opens a new one. */
  readonly alive: boolean;
  /** `SHA256:…` of the key the host offered (SSH only). */
  readonly hostKeyFingerprint?: string;
  close(): Promise<void>;
}

/** Per-connection settings, in milliseconds, from the config's `timeouts` and `hostConcurrency`. */
export interface ConnectionSettings {
  timeouts: { connect: number; command: number; keepalive: number };
  hostConcurrency: number;
}
