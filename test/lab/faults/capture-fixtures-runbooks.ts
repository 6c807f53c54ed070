// Captures the evidence fixtures of the data-root and storage-driver runbooks from real lab hosts:
// what the overlay2 support script prints on a root with and without d_type, and what the
// directory facts script prints for a Docker root and for a target not made yet. The scripts are
// the product's own (src/evidence/overlaySupport.ts, dirFacts.ts), run over SSH as dockmedic runs
// them. Run: npx tsx test/lab/faults/capture-fixtures-runbooks.ts

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { createContext } from '../../../src/evidence/context.ts';
import { dirFacts } from '../../../src/evidence/dirFacts.ts';
import { overlaySupport } from '../../../src/evidence/overlaySupport.ts';
import { createHostPool } from '../../../src/hosts/pool.ts';
import type { HostConnection } from '../../../src/hosts/types.ts';
import { cleanupStaleLab, labHostEntry, startLabHost } from '../lab.ts';
import { addDataDisk } from './data-root.ts';
import { remakeRootWithoutDType } from './storage-driver.ts';

const OUT = path.resolve(import.meta.dirname, '../../fixtures');

async function save(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(OUT, file)), { recursive: true });
  await writeFile(path.join(OUT, file), text);
}

/** The connection, keeping the stdout of the last command it ran. */
function recording(conn: HostConnection): { conn: HostConnection; last: () => string } {
  let last = '';
  const wrapped: HostConnection = {
    host: conn.host,
    transport: conn.transport,
    docker: () => conn.docker(),
    async exec(command, options) {
      const result = await conn.exec(command, options);
      last = result.stdout;
      return result;
    },
  };
  return { conn: wrapped, last: () => last };
}

await cleanupStaleLab();
const [able, unable] = await Promise.all([
  startLabHost({ name: 'capture-rb1' }),
  startLabHost({ name: 'capture-rb2', diskMiB: 128 }),
]);
const config = parseConfig({ hosts: [labHostEntry(able), labHostEntry(unable)] }, 'capture', '/');
const pool = createHostPool({ timeouts: config.timeouts, hostConcurrency: config.hostConcurrency });
try {
  await addDataDisk(able, { sizeMiB: 2048, mount: '/data' });
  await remakeRootWithoutDType(unable);
  const ableConn = recording(await pool.acquire(config.hosts[0]!));
  const unableConn = recording(await pool.acquire(config.hosts[1]!));
  await overlaySupport(createContext(ableConn.conn), '/var/lib/docker');
  await save('storage-driver/overlay-support-ext4.txt', ableConn.last());
  await overlaySupport(createContext(unableConn.conn), '/var/lib/docker');
  await save('storage-driver/overlay-support-ext4-no-filetype.txt', unableConn.last());
  await dirFacts(createContext(ableConn.conn), '/var/lib/docker');
  await save('data-root/dir-facts-root.txt', ableConn.last());
  await dirFacts(createContext(ableConn.conn), '/data/docker');
  await save('data-root/dir-facts-absent-target.txt', ableConn.last());
  console.log('captured into', OUT);
} finally {
  await pool.closeAll();
  await Promise.allSettled([able.destroy(), unable.destroy()]);
}
