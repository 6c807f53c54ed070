import { describe, expect, it } from 'vitest';
import { judgeTmpNoexec } from '../../../src/checks/tmp-noexec.ts';
import { mountOfTmp, parseFindmnt } from '../../../src/evidence/tmpMount.ts';
import { fixtureText } from './fixtures.ts';

describe('judgeTmpNoexec', () => {
  it.each([
    ['findmnt-tmp.txt', 'ok'],
    ['findmnt-tmp-noexec.txt', 'warn'],
  ])('%s → %s', (file, severity) => {
    const raw = fixtureText(`tmp-noexec/${file}`);
    const mount = parseFindmnt(raw);

    const [finding] = judgeTmpNoexec({ ...(mount ? { mount } : {}), source: 'findmnt', raw });

    expect(finding?.severity).toBe(severity);
  });

  it('names the error, offers the remount and recommends TMPDIR', () => {
    const raw = fixtureText('tmp-noexec/findmnt-tmp-noexec.txt');

    const [finding] = judgeTmpNoexec({ mount: parseFindmnt(raw)!, source: 'findmnt', raw });

    expect(finding?.summary).toContain('failed to map segment from shared object');
    expect(finding?.detail).toContain('TMPDIR=');
    expect(finding?.detail).toContain('lasts until reboot');
    expect(finding?.evidence?.[0]).toMatch(/^findmnt: \/tmp tmpfs rw,.*noexec/);
    expect(finding?.fixes?.[0]?.fix).toBe('remount-tmp-exec');
  });

  it('reads /proc/mounts where findmnt is missing', () => {
    const mount = mountOfTmp(fixtureText('tmp-noexec/proc-mounts-noexec.txt'));

    expect(mount).toMatchObject({ target: '/tmp', fstype: 'tmpfs', options: expect.arrayContaining(['noexec']) });
  });

  it('offers no remount when /tmp is part of / (constructed)', () => {
    const [finding] = judgeTmpNoexec({
      mount: { target: '/', fstype: 'ext4', options: ['rw', 'noexec'] },
      source: 'findmnt',
      raw: '',
    });

    expect(finding).toMatchObject({ severity: 'warn' });
    expect(finding?.fixes).toBeUndefined();
  });
});
