import path from 'node:path';

/** Root of everything the lab writes on the machine: one folder per lab host, IP locks, the image tar. */
export const LAB_DIR: string = path.resolve(process.env.DOCKMEDIC_LAB_DIR ?? '/tmp/dockmedic-lab');

/** One sub-folder per lab host: `<name>-<owner pid>-<n>`, holding owner.json, keys and the disk image. */
export const HOSTS_DIR: string = path.join(LAB_DIR, 'hosts');

/** One lock file per 127.0.0.x address in use, so parallel test processes never share an address. */
export const IP_LOCKS_DIR: string = path.join(LAB_DIR, 'ip-locks');

/** PATH for commands run inside lab hosts: the machine's environment must not leak into them. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
