// Captures the evidence fixtures of test/fixtures/{daemon-config,tmp-noexec,dead-containers,
// tty-in-cron,devicemapper-errors,container-health,container-user,image-children} from a real lab
// host with each fault injected. Run: npx tsx test/lab/faults/capture-fixtures-a.ts

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupStaleLab, startLabHost } from '../lab.ts';
import {
  makeAlwaysUnhealthy,
  makeOomKilled,
  makeRestartLoop,
  makeUnhealthy,
  waitForState,
} from './container-health.ts';
import { makeNonRootDenied } from './container-user.ts';
import { saveDaemonJson, writeDaemonJsonWithComments, writeDaemonJsonWithGraph } from './daemon-config.ts';
import { makeDeadContainer, makeOrphanDir } from './dead-containers.ts';
import { appendDevicemapperError } from './devicemapper-errors.ts';
import { makeImageWithChild } from './image-children.ts';
import { must } from './must.ts';
import { remountTmpNoexec } from './tmp-noexec.ts';
import { writeTtyCrontab } from './tty-in-cron.ts';

const OUT = path.resolve(import.meta.dirname, '../../fixtures');
const API = 'curl -s --unix-socket /run/docker.sock http://d/v1.41';

async function save(file: string, text: string | Buffer): Promise<void> {
  await mkdir(path.dirname(path.join(OUT, file)), { recursive: true });
  await writeFile(path.join(OUT, file), text);
}

await cleanupStaleLab();
const host = await startLabHost({ name: 'capture-a' });
try {
  const sh = (script: string) => must(host, script, script.slice(0, 40));
  const json = async (url: string) => `${JSON.stringify(JSON.parse(await sh(`${API}${url}`)), null, 2)}\n`;
  // daemon-config
  const original = await saveDaemonJson(host);
  await save('daemon-config/daemon-lab.json', original);
  await save('daemon-config/ps-eo-args.txt', await sh('ps -eo args='));
  await save(
    'daemon-config/dockerd-validate.txt',
    (await host.sh('dockerd --validate --config-file /etc/docker/daemon.json 2>&1; echo "exit $?"')).stdout,
  );
  await save('daemon-config/info.json', await json('/info'));
  await writeDaemonJsonWithComments(host, original);
  await save('daemon-config/daemon-comments.json', await sh('cat /etc/docker/daemon.json'));
  await writeDaemonJsonWithGraph(host, original);
  await save('daemon-config/daemon-graph.json', await sh('cat /etc/docker/daemon.json'));
  await sh(`printf '%s' '${original}' > /etc/docker/daemon.json`);
  // tmp-noexec
  await save('tmp-noexec/findmnt-tmp.txt', await sh('findmnt -rno TARGET,FSTYPE,OPTIONS -T /tmp'));
  await remountTmpNoexec(host);
  await save('tmp-noexec/findmnt-tmp-noexec.txt', await sh('findmnt -rno TARGET,FSTYPE,OPTIONS -T /tmp'));
  await save('tmp-noexec/proc-mounts-noexec.txt', await sh('cat /proc/mounts'));
  await sh('mount -o remount,exec /tmp');
  // dead-containers
  await makeDeadContainer(host, 'stuck');
  await makeOrphanDir(host);
  await save(
    'dead-containers/du-containers.txt',
    await sh('cd /var/lib/docker/containers && du -sk -- /var/lib/docker/containers/*/'),
  );
  await save('dead-containers/containers-all.json', await json('/containers/json?all=1'));
  // tty-in-cron
  await writeTtyCrontab(host);
  await save(
    'tty-in-cron/grep-crontabs.txt',
    await sh(
      'for f in /etc/crontab /etc/cron.d/* /var/spool/cron/* /var/spool/cron/crontabs/*; do [ -f "$f" ] && grep -n -H -s -e docker -- "$f"; done; true',
    ),
  );
  // devicemapper-errors
  await appendDevicemapperError(host);
  await save('devicemapper-errors/docker-log-tail.txt', await sh('tail -n 8 /var/log/docker.log'));
  // container-health
  await makeUnhealthy(host, 'wedged');
  await makeAlwaysUnhealthy(host, 'sick');
  await makeRestartLoop(host, 'crashloop');
  await makeOomKilled(host, 'hog');
  await sh('docker run -d --network none --name calm busybox:local sleep 3600');
  await waitForState(host, 'sick', '{{.State.Health.Status}}', /unhealthy/);
  await waitForState(host, 'crashloop', '{{.RestartCount}}', /^[3-9]|\d\d/);
  await waitForState(host, 'hog', '{{.State.OOMKilled}}', /true/);
  for (const name of ['wedged', 'sick', 'crashloop', 'hog', 'calm']) {
    await save(`container-health/inspect-${name}.json`, await json(`/containers/${name}/json`));
  }
  // container-user
  await makeNonRootDenied(host, 'nginx-user');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await save('container-user/inspect-nginx-user.json', await json('/containers/nginx-user/json'));
  await save(
    'container-user/logs-nginx-user.bin',
    Buffer.from(await sh(`${API}/containers/nginx-user/logs?stdout=1\\&stderr=1\\&tail=200 | base64 -w0`), 'base64'),
  );
  // image-children
  await makeImageWithChild(host);
  await save('image-children/images-all.json', await json('/images/json?all=1'));
  await save('image-children/containers-all.json', await json('/containers/json?all=1'));
  console.log('captured into', OUT);
} finally {
  await host.destroy();
}
