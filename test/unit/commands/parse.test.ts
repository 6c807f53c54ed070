import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../commands/parse.ts';

describe('tokenize', () => {
  it('splits plain words', () => {
    expect(tokenize('  diskcheck   web-1 ')).toEqual(['diskcheck', 'web-1']);
  });

  it.each([
    ['diskcheck h1;touch /tmp/x'],
    ['diskcheck $(id)'],
    ['diskcheck `id`'],
    ['diskcheck h1|sh'],
    ['diskcheck "h1"'],
    ["diskcheck 'h1'"],
    ['diskcheck h1&&id'],
    ['diskcheck h1>x'],
  ])('refuses %j with a message that says what is accepted', (text) => {
    expect(() => tokenize(text)).toThrow(/letters, digits/);
  });

  it('refuses a 10 kB argument without echoing it', () => {
    const long = `diskcheck ${'a'.repeat(10_000)}`;
    expect(() => tokenize(long)).toThrow(/at most 300/);
  });

  it('treats newlines as word breaks, so an injected second line is just extra words', () => {
    expect(tokenize('diskcheck h1\ntouch')).toEqual(['diskcheck', 'h1', 'touch']);
  });
});
