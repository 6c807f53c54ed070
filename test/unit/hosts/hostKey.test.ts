import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDockmedicError } from '../../../src/errors.ts';
import {
  fingerprintOf,
  hostFieldMatches,
  hostKeyMismatchError,
  knownHostsName,
  parseKnownHosts,
  verifyHostKey,
} from '../../../src/hosts/hostKey.ts';

interface KeyPair {
  line: string;
  blob: Buffer;
  fingerprint: string;
}

let dir: string;
let keyA: KeyPair;
let keyB: KeyPair;
let rsaKey: KeyPair;

function makeKey(name: string, type: string): KeyPair {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1] as string;
  return { line, blob: Buffer.from(line.split(' ')[1] as string, 'base64'), fingerprint };
}

/** Writes a known_hosts file and hashes it with `ssh-keygen -H`, as an operator would. */
function hashedKnownHosts(text: string): string {
  const file = path.join(dir, `known_hosts_${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
  return readFileSync(file, 'utf8');
}

function keyPart(key: KeyPair): string {
  return key.line.split(' ').slice(0, 2).join(' ');
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dm-hostkey-'));
  keyA = makeKey('a', 'ed25519');
  keyB = makeKey('b', 'ed25519');
  rsaKey = makeKey('r', 'rsa');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fingerprintOf', () => {
  it('prints exactly what ssh-keygen -lf prints', () => {
    // Arrange: keys made by ssh-keygen in beforeAll
    // Act / Assert
    expect(fingerprintOf(keyA.blob)).toBe(keyA.fingerprint);
    expect(fingerprintOf(rsaKey.blob)).toBe(rsaKey.fingerprint);
    expect(keyA.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('knownHostsName', () => {
  it.each([
    ['10.1.2.3', 22, '10.1.2.3'],
    ['10.1.2.3', 2222, '[10.1.2.3]:2222'],
    ['web-1.example', 22, 'web-1.example'],
  ])('%s port %i is looked up as %s', (address, port, expected) => {
    expect(knownHostsName(address, port)).toBe(expected);
  });
});

describe('hostFieldMatches', () => {
  it.each([
    ['web-1', 'web-1', true],
    ['web-2,web-1,10.0.0.1', 'web-1', true],
    ['WEB-1', 'web-1', true],
    ['web-*', 'web-1', true],
    ['web-?', 'web-12', false],
    ['web-*,!web-1', 'web-1', false],
    ['[10.1.2.3]:2222', '[10.1.2.3]:2222', true],
    ['10.1.2.3', '[10.1.2.3]:2222', false],
    ['[10.1.2.3]:2222', '10.1.2.3', false],
    ['web-1', 'web-10', false],
  ])('%s against %s → %s', (field, name, expected) => {
    expect(hostFieldMatches(field, name)).toBe(expected);
  });
});

describe('parseKnownHosts', () => {
  it('skips comments, blank and malformed lines and reads markers', () => {
    // Arrange
    const text = `# comment\n\nweb-1 ${keyPart(keyA)}\nnot-enough-fields\n@revoked * ${keyPart(keyB)}\n`;
    // Act
    const entries = parseKnownHosts(text);
    // Assert
    expect(entries).toHaveLength(2);
    expect(entries[0]?.hosts).toBe('web-1');
    expect(entries[0]?.key.equals(keyA.blob)).toBe(true);
    expect(entries[1]?.marker).toBe('@revoked');
  });
});

describe('verifyHostKey', () => {
  const host = { address: '10.1.2.3', port: 22, hostKey: undefined as string | undefined };

  it('accepts the pinned fingerprint', () => {
    const verdict = verifyHostKey({ ...host, hostKey: keyA.fingerprint }, keyA.blob);
    expect(verdict).toEqual({ accepted: true, fingerprint: keyA.fingerprint, via: 'hostKey' });
  });

  it('refuses another key and reports the one offered', () => {
    const verdict = verifyHostKey({ ...host, hostKey: keyA.fingerprint }, keyB.blob);
    expect(verdict).toEqual({ accepted: false, fingerprint: keyB.fingerprint, reason: 'unknown' });
  });

  it('accepts a plain known_hosts entry in a comma list', () => {
    const text = `other,10.1.2.3 ${keyPart(keyA)}\n`;
    expect(verifyHostKey(host, keyA.blob, text).accepted).toBe(true);
    expect(verifyHostKey(host, keyB.blob, text).accepted).toBe(false);
  });

  it('needs [host]:port when the port is not 22', () => {
    const plain = `10.1.2.3 ${keyPart(keyA)}\n`;
    const bracketed = `[10.1.2.3]:2222 ${keyPart(keyA)}\n`;
    expect(verifyHostKey({ ...host, port: 2222 }, keyA.blob, plain).accepted).toBe(false);
    expect(verifyHostKey({ ...host, port: 2222 }, keyA.blob, bracketed).accepted).toBe(true);
  });

  it.each([
    ['10.1.2.3', 22],
    ['[10.1.2.3]:2222', 2222],
  ])('accepts a hashed entry for %s (ssh-keygen -H)', (name, port) => {
    // Arrange
    const text = hashedKnownHosts(`${name} ${keyPart(keyA)}\n`);
    expect(text).toMatch(/^\|1\|/);
    // Act
    const ok = verifyHostKey({ ...host, port }, keyA.blob, text);
    const otherHost = verifyHostKey({ ...host, address: '10.1.2.4', port }, keyA.blob, text);
    const otherKey = verifyHostKey({ ...host, port }, keyB.blob, text);
    // Assert
    expect(ok.accepted).toBe(true);
    expect(otherHost.accepted).toBe(false);
    expect(otherKey.accepted).toBe(false);
  });

  it('refuses a revoked key even when it is pinned', () => {
    const text = `@revoked * ${keyPart(keyA)}\n`;
    const verdict = verifyHostKey({ ...host, hostKey: keyA.fingerprint }, keyA.blob, text);
    expect(verdict).toMatchObject({ accepted: false, reason: 'revoked' });
  });

  it('ignores @cert-authority lines as keys', () => {
    const text = `@cert-authority 10.1.2.3 ${keyPart(keyA)}\n`;
    expect(verifyHostKey(host, keyA.blob, text).accepted).toBe(false);
  });
});

describe('hostKeyMismatchError', () => {
  it('names the host and the offered fingerprint', () => {
    const error = hostKeyMismatchError(
      { name: 'web-1', address: '10.1.2.3', port: 22, hostKey: 'SHA256:x' },
      'SHA256:abc',
    );
    expect(isDockmedicError(error)).toBe(true);
    expect(error.code).toBe('dm_host_key_mismatch');
    expect(error.retryable).toBe(false);
    expect(error.userMessage).toBe(
      'web-1 offered host key SHA256:abc, which does not match the pinned key; if the host was rebuilt, verify and update hostKey in dockmedic.yaml',
    );
  });
});
