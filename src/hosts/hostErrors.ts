// The DockmedicErrors the host layer throws, in one place so SSH, local and Docker paths say the
// same thing for the same trouble. Connection trouble is retryable; a refused key or login is not.

import type { HostConfig } from '../config/schema.ts';
import { DockmedicError } from '../errors.ts';
import { formatBytes, formatDuration } from '../format.ts';

type HostRef = Pick<HostConfig, 'name' | 'address' | 'port'>;

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

export function where(host: HostRef): string {
  return `${host.name} (${host.address}:${host.port})`;
}

function errorCode(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps an ssh2 connect failure (socket, handshake or authentication) to our error. */
export function connectError(host: HostRef, cause: unknown, connectTimeoutMs: number): DockmedicError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const level = (cause as { level?: unknown } | undefined)?.level;
  if (/timed out while waiting for handshake/i.test(message)) {
    return connectTimeoutError(host, connectTimeoutMs, cause);
  }
  if (level === 'client-authentication') {
    return new DockmedicError('dm_auth_failed', `while logging in to ${where(host)}: ${message}`, {
      cause,
      userMessage: `${host.name} refused the login (check user and privateKey in dockmedic.yaml)`,
    });
  }
  const code = errorCode(cause);
  const detail = code && UNREACHABLE_CODES.has(code) ? code : message;
  return new DockmedicError('dm_host_unreachable', `while connecting to ${where(host)}: ${message}`, {
    cause,
    retryable: true,
    userMessage: `cannot reach ${host.name} over SSH (${detail})`,
  });
}

export function connectTimeoutError(host: HostRef, connectTimeoutMs: number, cause?: unknown): DockmedicError {
  return new DockmedicError(
    'dm_host_timeout',
    `while connecting to ${where(host)}: no SSH handshake within ${connectTimeoutMs} ms`,
    {
      cause,
      retryable: true,
      userMessage: `${host.name} did not answer within ${formatDuration(connectTimeoutMs)}`,
    },
  );
}

export function commandTimeoutError(host: HostRef, timeoutMs: number): DockmedicError {
  return new DockmedicError('dm_host_timeout', `command on ${where(host)} did not finish within ${timeoutMs} ms`, {
    retryable: true,
    userMessage: `a command on ${host.name} did not finish within ${formatDuration(timeoutMs)}`,
  });
}

/** A batch script's output stopped following its own format (see frames.ts): nothing after it is trusted. */
export function batchOutputError(host: HostRef, reason: string): DockmedicError {
  return new DockmedicError('dm_command_failed', `the batch output from ${where(host)} broke off: ${reason}`, {
    retryable: true,
    userMessage: `dockmedic could not read a command's output from ${host.name}`,
  });
}

/** In-flight work on a connection that dropped. */
export function connectionLostError(host: HostRef, cause?: unknown): DockmedicError {
  return new DockmedicError('dm_host_unreachable', `connection to ${where(host)} was lost`, {
    cause,
    retryable: true,
    userMessage: `the connection to ${host.name} was lost`,
  });
}

export function privateKeyUnreadableError(host: HostRef & { privateKey?: string }, cause: unknown): DockmedicError {
  return new DockmedicError(
    'dm_auth_failed',
    `while reading the private key ${host.privateKey ?? '(none configured)'} for ${host.name}`,
    {
      cause,
      userMessage: `the privateKey configured for ${host.name} cannot be read (check the path and permissions in dockmedic.yaml)`,
    },
  );
}

export function privateKeyUnusableError(host: HostRef & { privateKey?: string }, cause: unknown): DockmedicError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DockmedicError(
    'dm_auth_failed',
    `while loading the private key ${host.privateKey} for ${host.name}: ${reason}`,
    {
      cause,
      userMessage: `the privateKey configured for ${host.name} cannot be used (${reason}); it must be an unencrypted OpenSSH or PEM private key`,
    },
  );
}

export function knownHostsUnreadableError(host: HostRef & { knownHosts?: string }, cause: unknown): DockmedicError {
  return new DockmedicError('dm_host_key_mismatch', `while reading knownHosts ${host.knownHosts} for ${host.name}`, {
    cause,
    userMessage: `the knownHosts file configured for ${host.name} cannot be read, so its host key cannot be checked`,
  });
}

export function dockerUnavailableError(host: HostRef & { dockerSocket: string }, cause: unknown): DockmedicError {
  return new DockmedicError('dm_docker_unavailable', `while opening ${host.dockerSocket} on ${where(host)}`, {
    cause,
    userMessage: `dockerd is not running on ${host.name} (nothing answers on ${host.dockerSocket})`,
  });
}

export function dockerForwardingRefusedError(host: HostRef & { dockerSocket: string }, cause: unknown): DockmedicError {
  return new DockmedicError('dm_docker_unavailable', `${where(host)} refused to forward ${host.dockerSocket}`, {
    cause,
    userMessage: `the SSH server on ${host.name} refuses to forward ${host.dockerSocket} (check AllowStreamLocalForwarding in its sshd_config)`,
  });
}

export function dockerTimeoutError(host: HostRef, timeoutMs: number): DockmedicError {
  return new DockmedicError('dm_host_timeout', `Docker API on ${where(host)} was silent for ${timeoutMs} ms`, {
    retryable: true,
    userMessage: `the Docker API on ${host.name} did not answer within ${formatDuration(timeoutMs)}`,
  });
}

/** Why `sudo -n` refused to run a privileged command (see sudoRefusal in commandLine.ts). */
export interface SudoRefusal {
  kind: 'password' | 'denied' | 'missing';
  /** sudo's own line, e.g. "sudo: a password is required". */
  detail: string;
}

/** sudo refused, so the command never ran: its (empty) output must not pass for a result. */
export function sudoRefusedError(host: HostRef, user: string, refusal: SudoRefusal): DockmedicError {
  const userMessage = {
    password: `sudo on ${host.name} wants a password for ${user}, and dockmedic never types one (it runs \`sudo -n\`): give ${user} a NOPASSWD rule in sudoers, or set \`sudo: false\` and connect as root`,
    denied: `sudo on ${host.name} does not allow ${user} to run dockmedic's commands as root (${refusal.detail}): give ${user} a NOPASSWD rule in sudoers`,
    missing: `sudo is not installed on ${host.name}, but dockmedic.yaml sets \`sudo: true\` for it`,
  }[refusal.kind];
  return new DockmedicError('dm_auth_failed', `sudo -n refused a command on ${where(host)}: ${refusal.detail}`, {
    userMessage,
  });
}

/** An Engine API answer still coming after the whole request deadline (a trickle never counts as silence). */
export function dockerDeadlineError(host: HostRef, deadlineMs: number): DockmedicError {
  return new DockmedicError(
    'dm_host_timeout',
    `Docker API on ${where(host)} was still answering after ${deadlineMs} ms`,
    {
      retryable: true,
      userMessage: `the Docker API on ${host.name} did not finish answering within ${formatDuration(deadlineMs)}`,
    },
  );
}

/** An Engine API answer past the byte cap: reading on would only fill the worker's memory. */
export function dockerAnswerTooLargeError(host: HostRef, maxBytes: number): DockmedicError {
  return new DockmedicError(
    'dm_answer_too_large',
    `Docker API on ${where(host)} sent more than ${maxBytes} bytes in one answer`,
    {
      userMessage: `the Docker API on ${host.name} answered with more than ${formatBytes(maxBytes)}, so dockmedic stopped reading it`,
    },
  );
}
