import { describe, expect, it } from 'vitest';
import { sudoRefusal, throwIfSudoRefused } from '../../../src/hosts/commandLine.ts';

const SUDO_HOST = { name: 'web-1', address: '10.1.2.3', port: 22, sudo: true };
// What sudo 1.9.13 (Debian 12) printed over ssh on a lab host, with and without a NOPASSWD rule.
const PASSWORD_REQUIRED = { stdout: '', stderr: 'sudo: a password is required\n', code: 1 };

describe('sudoRefusal', () => {
  it.each([
    ['password', 1, 'sudo: a password is required'],
    ['password', 1, 'sudo: unable to resolve host web-1: Name or service not known\nsudo: a password is required'],
    [
      'password',
      1,
      'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper',
    ],
    ['denied', 1, "Sorry, user ops is not allowed to execute '/bin/sh -c df -P' as root on web-1."],
    ['denied', 1, 'ops is not in the sudoers file.  This incident will be reported.'],
    ['denied', 1, 'sudo: sorry, you must have a tty to run sudo'],
    ['missing', 127, 'sh: 1: sudo: not found'],
    ['missing', 127, 'bash: line 1: sudo: command not found'],
  ])('sees a %s refusal (exit %i): %s', (kind, code, stderr) => {
    expect(sudoRefusal({ code, stderr: `${stderr}\n` })?.kind).toBe(kind);
  });

  it.each([
    [0, 'sudo: a password is required'],
    [1, ''],
    [1, "find: '/var/lib/docker/containers': Permission denied"],
    [2, 'sudo: a password is required'],
    [127, 'sh: 1: dockerd: not found'],
  ])('leaves the command’s own failures alone (exit %i: %s)', (code, stderr) => {
    expect(sudoRefusal({ code, stderr })).toBeUndefined();
  });
});

describe('throwIfSudoRefused', () => {
  it('turns a password prompt into an error that says what to change', () => {
    let thrown: unknown;
    try {
      throwIfSudoRefused(SUDO_HOST, 'ops', { privileged: true }, PASSWORD_REQUIRED);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toMatchObject({ code: 'dm_auth_failed', retryable: false });
    const userMessage = (thrown as { userMessage: string }).userMessage;
    expect(userMessage).toContain('sudo on web-1 wants a password for ops');
    expect(userMessage).toContain('sudo -n');
    expect(userMessage).toContain('NOPASSWD');
    expect((thrown as Error).message).toContain('sudo: a password is required');
  });

  it('says when sudo is missing or the user may not use it', () => {
    expect(() =>
      throwIfSudoRefused(
        SUDO_HOST,
        'ops',
        { privileged: true },
        { stdout: '', stderr: 'sh: 1: sudo: not found', code: 127 },
      ),
    ).toThrow(expect.objectContaining({ userMessage: expect.stringContaining('sudo is not installed on web-1') }));
    const denied = { stdout: '', stderr: 'ops is not in the sudoers file.', code: 1 };
    expect(() => throwIfSudoRefused(SUDO_HOST, 'ops', { privileged: true }, denied)).toThrow(
      expect.objectContaining({ userMessage: expect.stringContaining('does not allow ops') }),
    );
  });

  it('passes results through when sudo was not used', () => {
    expect(throwIfSudoRefused(SUDO_HOST, 'ops', {}, PASSWORD_REQUIRED)).toBe(PASSWORD_REQUIRED);
    expect(throwIfSudoRefused({ ...SUDO_HOST, sudo: false }, 'ops', { privileged: true }, PASSWORD_REQUIRED)).toBe(
      PASSWORD_REQUIRED,
    );
    const failed = { stdout: '', stderr: 'truncate: Permission denied', code: 1 };
    expect(throwIfSudoRefused(SUDO_HOST, 'ops', { privileged: true }, failed)).toBe(failed);
  });
});
