// Fault for the shm-size check: a container started with `--shm-size 1m` whose /dev/shm is filled
// with dd, after which a program writing to shared memory through mmap gets SIGBUS and the shell
// logs "Bus error" — the guide's symptom, for its real cause. The program is a few lines of C
// compiled statically here; without gcc the child is sent SIGBUS instead (the log line is the same
// shell message, the cause then is not), and the result says which way it went.

import type { LabHost } from '../host.ts';
import { buildImage, runDetached, waitForLog } from './build.ts';

export const SHM_IMAGE = 'shm:lab';

const SHMWRITE_C = `#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
/* Maps a file in /dev/shm and writes every byte: on a full tmpfs the page fault raises SIGBUS. */
int main(int argc, char **argv) {
  size_t size = argc > 2 ? strtoul(argv[2], 0, 10) : 1048576;
  int fd = open(argc > 1 ? argv[1] : "/dev/shm/lab", O_RDWR | O_CREAT, 0600);
  if (fd < 0 || ftruncate(fd, (off_t)size) != 0) return 2;
  char *p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return 3;
  memset(p, 1, size);
  return 0;
}
`;

export type SigbusSource = 'mmap on a full /dev/shm' | 'kill -BUS (no gcc on this machine)';

/** Builds shm:lab (busybox:local + /bin/shmwrite when gcc can build it). */
export async function buildShmImage(host: LabHost): Promise<SigbusSource> {
  // buildImage's context folder for this tag: the binary is compiled straight into it.
  const dir = '/tmp/lab-build/shm-lab';
  const compiled = await host.sh(
    `command -v gcc >/dev/null && mkdir -p ${dir} && cat > ${dir}/shmwrite.c <<'EOF'\n${SHMWRITE_C}EOF\ngcc -static -O1 -o ${dir}/shmwrite ${dir}/shmwrite.c`,
  );
  if (compiled.code !== 0) {
    await buildImage(host, SHM_IMAGE, 'FROM busybox:local\n');
    return 'kill -BUS (no gcc on this machine)';
  }
  await buildImage(host, SHM_IMAGE, 'FROM busybox:local\nCOPY shmwrite /bin/shmwrite\n');
  return 'mmap on a full /dev/shm';
}

/** Runs a container with a 1 MiB /dev/shm, fills it, and waits until its log says "Bus error". */
export async function runWithFullShm(host: LabHost, name: string, source: SigbusSource): Promise<string> {
  const crash = source === 'mmap on a full /dev/shm' ? 'shmwrite /dev/shm/big 1048576' : 'sh -c "kill -BUS \\$\\$"';
  const script = `dd if=/dev/zero of=/dev/shm/fill bs=1k count=2048; ${crash}; echo "writer exited $?"; exec sleep 100000`;
  const id = await runDetached(host, [
    '--network',
    'none',
    '--name',
    name,
    '--shm-size',
    '1m',
    '-e',
    'LANG=C.UTF-8',
    SHM_IMAGE,
    'sh',
    '-c',
    script,
  ]);
  await waitForLog(host, name, 'writer exited');
  return id;
}
