import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  input?: string | Buffer | NodeJS.ReadableStream;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Runs a program (no shell on our side) and collects its output; never throws for a non-zero exit. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    }
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A command that exits before reading its stdin must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const exitCode = code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0);
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        code: exitCode,
      });
    });
    const input = options.input;
    if (input === undefined) {
      child.stdin.end();
    } else if (typeof input === 'string' || Buffer.isBuffer(input)) {
      child.stdin.end(input);
    } else {
      input.pipe(child.stdin);
    }
  });
}

/** Like run, but a non-zero exit becomes an error that names the command and quotes its stderr. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).slice(-2000);
    throw new Error(`${command} ${args.join(' ')} exited with ${result.code}: ${detail}`);
  }
  return result;
}

/**
 * A process is identified by pid + start time: pids are reused, so a pid alone in a pidfile from an
 * earlier run could name an unrelated process today.
 */
export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

/** Start time of a running process; undefined when it is gone or a zombie (dead, not yet reaped). */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields after the last ')' are safe.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // This machine's pid 1 reaps slowly: a killed holder can linger as a zombie for a while.
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    // starttime is field 22 overall, i.e. index 19 after "pid (comm)".
    return fields[19];
  } catch {
    return undefined;
  }
}

export async function identifyProcess(pid: number): Promise<ProcessIdentity | undefined> {
  const startTime = await processStartTime(pid);
  return startTime === undefined ? undefined : { pid, startTime };
}

export async function isProcessAlive(identity: ProcessIdentity | undefined): Promise<boolean> {
  if (!identity) return false;
  const startTime = await processStartTime(identity.pid);
  return startTime !== undefined && startTime === identity.startTime;
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Single-quotes a string for sh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
