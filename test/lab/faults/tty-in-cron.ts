// A crontab running `docker exec -it`. /etc/cron.d and /var/spool/cron are the machine's folders
// (the lab host shares its root filesystem): a private tmpfs is mounted over each inside the
// host's mount namespace first, so nothing lands on the machine.

import type { LabHost } from '../host.ts';
import { shellQuote } from '../proc.ts';
import { must } from './must.ts';

export const CRON_FILE = '/etc/cron.d/mysql-backup';
export const CRON_LINE = "0 */6 * * * root docker exec -it db sh -c 'exec mysqldump --all-databases' > /backup/all.sql";

export async function privateCronDirs(host: LabHost): Promise<void> {
  await must(
    host,
    'mountpoint -q /etc/cron.d || mount -t tmpfs -o size=1m lab-cron-d /etc/cron.d; mkdir -p /var/spool; mountpoint -q /var/spool || mount -t tmpfs -o size=1m lab-spool /var/spool; mkdir -p /var/spool/cron/crontabs',
    'mounting private cron folders',
  );
}

export async function writeTtyCrontab(host: LabHost): Promise<void> {
  await privateCronDirs(host);
  const text = `# backups\nSHELL=/bin/sh\n${CRON_LINE}\n`;
  await must(host, `printf '%s' ${shellQuote(text)} > ${CRON_FILE} && chmod 644 ${CRON_FILE}`, 'writing the crontab');
}

export async function readCrontab(host: LabHost): Promise<string> {
  return must(host, `cat ${CRON_FILE}`, 'reading the crontab');
}
