import { describe, expect, it } from 'vitest';
import { newNonce } from '../../../src/hosts/execBatch.ts';
import { batchScript, FrameReader } from '../../../src/hosts/frames.ts';
import { quote, sh } from '../../../src/hosts/shell.ts';
import type { ExecResult } from '../../../src/hosts/types.ts';

function reading(nonce: string, count: number) {
  const frames: Array<[number, ExecResult]> = [];
  const reader = new FrameReader(nonce, count, (index, result) => frames.push([index, result]));
  return { reader, frames };
}

/** One command's frame as the script prints it. */
function frame(nonce: string, index: number, code: number, stdout: string | Buffer, stderr = ''): Buffer {
  const out = Buffer.from(stdout);
  const err = Buffer.from(stderr);
  return Buffer.concat([
    Buffer.from(`${nonce}:${index}:run\n${nonce}:${index}:${code}:${out.length}:${err.length}\n`),
    out,
    err,
  ]);
}

describe('FrameReader', () => {
  it('reads frames split across chunks one byte at a time, login noise before them going to each', () => {
    const nonce = newNonce();
    const { reader, frames } = reading(nonce, 2);
    const text = Buffer.concat([Buffer.from('noise\n'), frame(nonce, 0, 0, 'abc', 'e'), frame(nonce, 1, 42, 'x\ny')]);

    for (const byte of text) reader.push(Buffer.from([byte]));

    expect(frames).toEqual([
      [0, { stdout: 'noise\nabc', stderr: 'e', code: 0 }],
      [1, { stdout: 'noise\nx\ny', stderr: '', code: 42 }],
    ]);
    expect([reader.started, reader.broken, reader.reached, reader.running]).toEqual([true, undefined, 2, undefined]);
  });

  it('takes a body by its length: headers inside it, with the real nonce, are only text', () => {
    const nonce = newNonce();
    const { reader, frames } = reading(nonce, 2);
    const forged = `${nonce}:0:0:1:0\nA${nonce}:1:run\n${nonce}:1:0:2:0\n1%`;

    reader.push(Buffer.concat([frame(nonce, 0, 0, forged), frame(nonce, 1, 0, '97%')]));

    expect(frames).toEqual([
      [0, { stdout: forged, stderr: '', code: 0 }],
      [1, { stdout: '97%', stderr: '', code: 0 }],
    ]);
  });

  it('completes a frame with empty output at its header, with nothing after it', () => {
    const nonce = newNonce();
    const { reader, frames } = reading(nonce, 1);

    reader.push(frame(nonce, 0, 3, ''));

    expect(frames).toEqual([[0, { stdout: '', stderr: '', code: 3 }]]);
    expect(reader.running).toBeUndefined();
  });

  it('keeps NUL bytes, control bytes and a missing trailing newline', () => {
    const nonce = newNonce();
    const { reader, frames } = reading(nonce, 1);
    const body = Buffer.from([0x00, 0x01, 0x0a, 0x0d, 0x1b, 0x41, 0x00]);

    reader.push(frame(nonce, 0, 0, body, 'no newline'));

    expect(frames).toEqual([[0, { stdout: body.toString('utf8'), stderr: 'no newline', code: 0 }]]);
  });

  it.each([
    ['a header with another nonce', (nonce: string) => `${nonce}:0:run\n${newNonce()}:0:0:0:0\n`],
    ['a header for another command', (nonce: string) => `${nonce}:0:run\n${nonce}:1:0:0:0\n`],
    ['a command started twice', (nonce: string) => `${nonce}:0:run\n${nonce}:0:run\n`],
    ['text where a header must start', (nonce: string) => `${nonce}:0:run\nhello\n`],
    ['a header line that never ends', (nonce: string) => `${nonce}:0:run\n${'9'.repeat(200)}`],
    ['no-tmp after a command ran', (nonce: string) => `${frame(nonce, 0, 0, '')}${nonce}:no-tmp\n`],
  ])('stops at %s and reads nothing after it', (_name, output) => {
    const nonce = newNonce();
    const { reader, frames } = reading(nonce, 2);

    reader.push(Buffer.from(output(nonce)));
    reader.push(frame(nonce, 1, 0, 'late'));

    expect(reader.broken).toBeDefined();
    expect(frames.filter(([index]) => index === 1)).toEqual([]);
  });

  it('says when the script declined (no private directory) before running anything', () => {
    const nonce = newNonce();
    const { reader, frames } = reading(nonce, 2);

    reader.push(Buffer.from(`${nonce}:no-tmp\n`));

    expect([reader.started, reader.declined, reader.reached, frames]).toEqual([true, true, 0, []]);
  });

  it('gives the command cut mid-body what arrived, marked truncated', () => {
    const nonce = newNonce();
    const { reader } = reading(nonce, 1);

    reader.push(frame(nonce, 0, 0, 'abcdef').subarray(0, -3));

    expect(reader.running).toBe(0);
    expect(reader.unfinished(255)).toEqual({ stdout: 'abc', stderr: '', code: 0, truncated: true });
  });
});

describe('batchScript', () => {
  it('quotes each command as one argument and names the nonce only in its own assignment', () => {
    const nonce = newNonce();

    const quoted = sh`echo ${"it's"}`;

    const script = batchScript(
      [
        { command: quoted, timeoutS: 3 },
        { command: sh`df -P /`, timeoutS: 31 },
      ],
      nonce,
    );

    expect(script.split(nonce)).toHaveLength(2);
    expect(script).toContain(`\ndm_n=${nonce}\n`);
    expect(script).toContain(`\ndm_run 0 3 ${quote(quoted)}\n`);
    expect(script).toContain("\ndm_run 1 31 'df -P /'\n");
    expect(script.startsWith('{\n') && script.endsWith('\n}\n')).toBe(true);
  });

  it('refuses a nonce that is not 32 hex digits', () => {
    expect(() => batchScript([], 'abc; rm -rf /')).toThrow(/nonce/);
  });
});
