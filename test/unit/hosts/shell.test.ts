import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLine } from '../../../src/hosts/commandLine.ts';
import { joinCommands, quote, sh } from '../../../src/hosts/shell.ts';

const HOSTILE = [
  'plain',
  'two words',
  'a;b',
  '; rm -rf /',
  '$(id)',
  '`id`',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point
  '${HOME}',
  '$HOME',
  'line1\nline2',
  'tab\there',
  "it's",
  "''",
  '"double"',
  '\\back\\slash',
  '*',
  '~',
  '-n',
  '--help',
  '|cat',
  '&& echo pwned',
  '> /tmp/x',
  '#comment',
  '!event',
  'ünïcødé ✓',
  '',
  ' ',
];

function roundTrip(quoted: string): string {
  return execFileSync('sh', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' });
}

describe('quote', () => {
  it.each(HOSTILE.map((value) => [JSON.stringify(value), value]))('%s survives sh -c unchanged', (_label, value) => {
    // Arrange / Act
    const output = roundTrip(quote(value));
    // Assert
    expect(output).toBe(value);
  });

  it('leaves safe words bare', () => {
    expect(quote('web-1')).toBe('web-1');
    expect(quote(42)).toBe('42');
  });

  it('refuses a NUL byte', () => {
    expect(() => quote('a\0b')).toThrow(/NUL/);
  });
});

describe('sh', () => {
  it('quotes every interpolated value and keeps literals', () => {
    const value = '$(id); echo pwned';
    const command = sh`printf %s ${value}`;
    expect(execFileSync('sh', ['-c', command], { encoding: 'utf8' })).toBe(value);
  });

  it('joins commands so one failing does not stop the next', () => {
    const command = joinCommands([sh`false`, sh`printf ok`]);
    expect(execFileSync('sh', ['-c', command], { encoding: 'utf8' })).toBe('ok');
  });
});

describe('commandLine', () => {
  const command = sh`printf %s ${"it's; $(id)"}`;

  it.each([
    [false, false],
    [false, true],
    [true, false],
  ])('leaves the command alone when sudo=%s privileged=%s', (sudo, privileged) => {
    expect(commandLine({ sudo }, command, { privileged })).toBe(command);
  });

  it('wraps a privileged command as sudo -n sh -c, keeping it one quoted word', () => {
    // Act
    const line = commandLine({ sudo: true }, command, { privileged: true });
    // Assert
    expect(line.startsWith('sudo -n sh -c ')).toBe(true);
    const inner = execFileSync('sh', ['-c', `printf %s ${line.slice('sudo -n sh -c '.length)}`], { encoding: 'utf8' });
    expect(inner).toBe(command);
  });
});
