import { describe, expect, it } from 'vitest';
import { OutputCollector } from '../../../src/hosts/output.ts';

describe('OutputCollector', () => {
  it('keeps everything under the cap', () => {
    const collector = new OutputCollector(10);
    collector.push(Buffer.from('hello '));
    collector.push(Buffer.from('you'));
    expect(collector.text()).toBe('hello you');
    expect(collector.truncated).toBe(false);
  });

  it('cuts at the cap and marks the output truncated', () => {
    const collector = new OutputCollector(8);
    collector.push(Buffer.from('hello '));
    collector.push(Buffer.from('world'));
    collector.push(Buffer.from('more'));
    expect(collector.text()).toBe('hello wo');
    expect(collector.truncated).toBe(true);
  });

  it('decodes UTF-8 split across chunks', () => {
    const bytes = Buffer.from('✓ok');
    const collector = new OutputCollector();
    collector.push(bytes.subarray(0, 1));
    collector.push(bytes.subarray(1));
    expect(collector.text()).toBe('✓ok');
  });
});
