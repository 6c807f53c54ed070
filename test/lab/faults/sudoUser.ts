// A non-root login user for `sudo: true` hosts, set up as on a real host: its own account, a fresh
// home with the lab host's client key in ~/.ssh/authorized_keys, membership of the `docker` group
// (the socket is root:docker 660, so the Engine API over SSH works without sudo) and a sudoers rule:
// `NAME ALL=(ALL) NOPASSWD: ALL`, or with `nopasswd: false` one that wants a password, so `sudo -n`
// fails at once ("sudo: a password is required").
//
// Nothing of the machine changes: the lab host shares the machine's /etc, so private copies of
// passwd, group, shadow, sudoers (and hosts, so sudo can resolve the host's name, as on a real
// host, instead of warning "unable to resolve host" on every call) live in the host's own /run tmpfs (/run/lab/etc) and are
// bind-mounted over /etc/… inside the host's mount namespace only. They are edited in place
// (append or truncate-and-write, never replaced by rename) so the bind mounts keep seeing them.
// Calling it again on the same host adds another user to the same private files.
//
// sshd: the lab's sshd_config names /root/.ssh/authorized_keys for everyone, which another user
// cannot read (/root is 700). A `Match User` block for the added users points them at their own
// ~/.ssh/authorized_keys, and sshd is told to re-read its config (SIGHUP: it re-executes itself
// with the same pid and listening address).

import { readFile } from 'node:fs/promises';
import type { LabHost } from '../host.ts';
import { readSshBanner } from '../network.ts';
import { shellQuote, waitFor } from '../proc.ts';
import { must } from './must.ts';

export interface SudoUserOptions {
  /** login name, e.g. 'ops' */
  name: string;
  /** true: `NAME ALL=(ALL) NOPASSWD: ALL`; false: `NAME ALL=(ALL) ALL` (sudo -n fails: password required). */
  nopasswd: boolean;
}

export interface SudoUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** the sudoers line written for this user */
  sudoersRule: string;
}

const NAME_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;
const PRIVATE_ETC = '/run/lab/etc';
const SSHD_CONFIG = '/run/lab/sshd_config';
const SSHD_LOG = '/var/log/sshd.log';
/** Files bind-mounted over the machine's /etc inside the host (the machine's own stay untouched). */
const PRIVATE_FILES = ['passwd', 'group', 'shadow', 'sudoers', 'hosts'] as const;
const FIRST_UID = 2000;

/** The sudoers file the host sees: no @includedir, so the machine's /etc/sudoers.d plays no part. */
const BASE_SUDOERS = [
  '# lab host private sudoers (test/lab/faults/sudoUser.ts)',
  'Defaults env_reset',
  'Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
  'root ALL=(ALL:ALL) ALL',
  '',
].join('\n');

export async function addSudoUser(host: LabHost, opts: SudoUserOptions): Promise<SudoUser> {
  const { name } = opts;
  if (!NAME_PATTERN.test(name) || name === 'root') {
    throw new Error(`sudo user name ${JSON.stringify(name)} must match ${NAME_PATTERN} and not be root`);
  }
  // Read on the machine: the host folder may sit under the machine's /tmp, which the host's /tmp hides.
  const publicKey = (await readFile(`${host.privateKeyPath}.pub`, 'utf8')).trim();
  await privatizeEtc(host);

  const existing = await must(host, `grep -c ${shellQuote(`^${name}:`)} /etc/passwd || true`, 'looking up the user');
  if (existing.trim() !== '0') throw new Error(`lab host ${host.name} already has a user ${name}`);

  const uid = await freeId(host);
  const gid = uid;
  const home = `/home/${name}`;
  const sudoersRule = opts.nopasswd ? `${name} ALL=(ALL) NOPASSWD: ALL` : `${name} ALL=(ALL) ALL`;
  const etc = PRIVATE_ETC;
  const script = [
    'set -e',
    // `*`: no password can log in, and (unlike `!`) sshd does not treat the account as locked.
    `echo ${shellQuote(`${name}:x:${uid}:${gid}:lab sudo user:${home}:/bin/sh`)} >> ${etc}/passwd`,
    `echo ${shellQuote(`${name}:x:${gid}:`)} >> ${etc}/group`,
    `echo ${shellQuote(`${name}:*:19000:0:99999:7:::`)} >> ${etc}/shadow`,
    // The docker group (the machine's docker.io package usually made one; else a new one) gets the user.
    `grep -q '^docker:' ${etc}/group || echo "docker:x:$(awk -F: 'BEGIN{g=${FIRST_UID - 1}} $3>g&&$3<60000{g=$3} END{print g+1}' ${etc}/group ${etc}/passwd):" >> ${etc}/group`,
    `awk -F: -v OFS=: -v u=${shellQuote(name)} '$1=="docker"{$4=($4=="" ? u : $4","u)} {print}' ${etc}/group > ${etc}/group.new`,
    `cat ${etc}/group.new > ${etc}/group && rm ${etc}/group.new`,
    `echo ${shellQuote(sudoersRule)} >> ${etc}/sudoers`,
    `visudo -c -q -f ${etc}/sudoers`,
    // A fresh home: a tmpfs of its own, with only the lab host's client key.
    `mkdir -p ${home}`,
    `mount -t tmpfs -o size=4m,mode=700,uid=${uid},gid=${gid} lab-home-${name} ${home}`,
    `mkdir -m 700 ${home}/.ssh`,
    `echo ${shellQuote(publicKey)} > ${home}/.ssh/authorized_keys`,
    `chmod 600 ${home}/.ssh/authorized_keys`,
    `chown -R ${uid}:${gid} ${home}/.ssh`,
    // As on real hosts: the socket belongs to group docker (dockerd restarted later does the same).
    `chgrp docker /run/docker.sock 2>/dev/null || true`,
    'chmod 660 /run/docker.sock 2>/dev/null || true',
  ].join('\n');
  await must(host, script, `adding the sudo user ${name}`);
  await letUsersUseOwnKeys(host);

  // Self-check: the rule does what it says (without going through ssh: that is the test's job).
  const probe = await host.sh(`setpriv --reuid=${uid} --regid=${gid} --init-groups sudo -n true`);
  if ((probe.code === 0) !== opts.nopasswd) {
    throw new Error(
      `sudo -n as ${name} on lab host ${host.name} exited ${probe.code} (nopasswd: ${opts.nopasswd}): ${probe.stderr.trim()}`,
    );
  }
  return { name, uid, gid, home, sudoersRule };
}

/** Once per host: private copies of passwd, group, shadow, sudoers and hosts over /etc, and a private /home. */
async function privatizeEtc(host: LabHost): Promise<void> {
  const done = await host.sh(`test -e ${PRIVATE_ETC}/.mounted`);
  if (done.code === 0) return;
  const lines = [
    'set -e',
    'command -v sudo >/dev/null || { echo "sudo is not installed: run scripts/ensure-deps.sh" >&2; exit 1; }',
    'test -e /etc/sudoers || { echo "/etc/sudoers is missing: run scripts/ensure-deps.sh" >&2; exit 1; }',
    `mkdir -p -m 755 ${PRIVATE_ETC}`,
    `cp /etc/passwd /etc/group /etc/hosts ${PRIVATE_ETC}/`,
    `echo "127.0.1.1 $(hostname)" >> ${PRIVATE_ETC}/hosts`,
    `cp /etc/shadow ${PRIVATE_ETC}/shadow`,
    `printf '%s' ${shellQuote(BASE_SUDOERS)} > ${PRIVATE_ETC}/sudoers`,
    `chmod 644 ${PRIVATE_ETC}/passwd ${PRIVATE_ETC}/group ${PRIVATE_ETC}/hosts`,
    `chmod 640 ${PRIVATE_ETC}/shadow`,
    `chgrp shadow ${PRIVATE_ETC}/shadow 2>/dev/null || chmod 600 ${PRIVATE_ETC}/shadow`,
    `chmod 440 ${PRIVATE_ETC}/sudoers`,
    ...PRIVATE_FILES.map((file) => `mount --bind ${PRIVATE_ETC}/${file} /etc/${file}`),
    // Homes live on a tmpfs of the host: the machine's /home is neither used nor changed.
    'mount -t tmpfs -o size=16m,mode=755 lab-home /home',
    `touch ${PRIVATE_ETC}/.mounted`,
  ];
  await must(host, lines.join('\n'), 'making private copies of /etc/passwd, group, shadow and sudoers');
}

/** The lowest id from FIRST_UID up that no user or group has yet. */
async function freeId(host: LabHost): Promise<number> {
  const out = await must(host, 'cut -d: -f3 /etc/passwd /etc/group', 'listing user and group ids');
  const taken = new Set(out.split('\n').map((line) => Number.parseInt(line, 10)));
  let id = FIRST_UID;
  while (taken.has(id)) id += 1;
  return id;
}

/**
 * Once per host: users other than root read their own ~/.ssh/authorized_keys (the lab's config names
 * /root/.ssh/authorized_keys for everyone). sshd re-reads its config on SIGHUP; wait until the new
 * one listens so the next login does not meet a closed port.
 */
async function letUsersUseOwnKeys(host: LabHost): Promise<void> {
  const marker = '# lab sudo users';
  const present = await host.sh(`grep -qF ${shellQuote(marker)} ${SSHD_CONFIG}`);
  if (present.code === 0) return;
  const block = `\n${marker}\nMatch User *,!root\n  AuthorizedKeysFile .ssh/authorized_keys\n`;
  const listening = async () =>
    Number.parseInt((await host.sh(`grep -c 'Server listening' ${SSHD_LOG} || true`)).stdout.trim() || '0', 10);
  const before = await listening();
  await must(
    host,
    [
      'set -e',
      `printf '%s' ${shellQuote(block)} >> ${SSHD_CONFIG}`,
      `/usr/sbin/sshd -t -f ${SSHD_CONFIG}`,
      'kill -HUP "$(cat /run/sshd.pid)"',
    ].join('\n'),
    'letting sshd take the sudo users’ own authorized_keys',
  );
  await waitFor('sshd to listen again after SIGHUP', 10_000, async () =>
    (await listening()) > before && (await readSshBanner(host.address, host.port, 500)) ? true : undefined,
  );
}
