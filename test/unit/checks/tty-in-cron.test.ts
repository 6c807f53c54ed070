import { describe, expect, it } from 'vitest';
import { judgeTtyInCron } from '../../../src/checks/tty-in-cron.ts';
import { dropTty, findTtyUses, parseGrep, rewriteLine } from '../../../src/evidence/crontabs.ts';
import { fixtureText } from './fixtures.ts';

describe('judgeTtyInCron', () => {
  it('warns about the captured docker exec -it line, with file, line number and the rewrite', () => {
    const [finding] = judgeTtyInCron({ lines: parseGrep(fixtureText('tty-in-cron/grep-crontabs.txt')) });

    expect(finding).toMatchObject({
      severity: 'warn',
      fixes: [{ fix: 'cron-drop-tty', params: { file: '/etc/cron.d/mysql-backup', line: 3 } }],
    });
    expect(finding?.summary).toContain('/etc/cron.d/mysql-backup line 3');
    expect(finding?.summary).toContain('the input device is not a TTY');
    expect(finding?.detail).toContain(
      "+ 0 */6 * * * root docker exec -i db sh -c 'exec mysqldump --all-databases' > /backup/all.sql",
    );
  });

  it.each([
    ['nothing found', [], 'ok'],
    ['a commented-out line', [{ file: '/etc/crontab', line: 1, text: '# * * * * * docker exec -it x ls' }], 'ok'],
    ['docker exec -i only', [{ file: '/etc/crontab', line: 1, text: '* * * * * root docker exec -i x ls' }], 'ok'],
    [
      'docker run --tty',
      [{ file: '/var/spool/cron/crontabs/root', line: 7, text: '* * * * * docker run --rm --tty img ls' }],
      'warn',
    ],
  ])('%s → %s', (_, lines, severity) => {
    expect(judgeTtyInCron({ lines })[0]?.severity).toBe(severity);
  });
});

describe('findTtyUses / rewriteLine', () => {
  it.each([
    ['docker exec -it db ls', ['-it'], 'docker exec -i db ls'],
    ['docker exec -ti db ls', ['-ti'], 'docker exec -i db ls'],
    ['/usr/bin/docker run --rm -t -e A=1 img ls -t', ['-t'], '/usr/bin/docker run --rm -e A=1 img ls -t'],
    ['docker exec -u root --tty c true', ['--tty'], 'docker exec -u root c true'],
    ['docker exec -dit c ls', ['-dit'], 'docker exec -di c ls'],
    ['docker compose exec -T web ls', [], 'docker compose exec -T web ls'],
    ['docker exec -e TERM=x c top -t', [], 'docker exec -e TERM=x c top -t'],
  ])('%s', (line, flags, rewritten) => {
    expect(findTtyUses(line).flatMap((use) => use.flags)).toEqual(flags);
    expect(rewriteLine(line)).toBe(rewritten);
  });

  it('drops the t', () => {
    expect([dropTty('-t'), dropTty('-it'), dropTty('--tty')]).toEqual([undefined, '-i', undefined]);
  });
});
