import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

const BUSYBOX = 'busybox:local';
const KEEP_RUNNING = "trap 'exit 0' TERM INT; sleep 3600 & wait";

/** Runs `docker …` in the lab host and fails the test set-up with docker's own words. */
async function docker(host: LabHost, args: string[]): Promise<string> {
  const result = await host.docker(args);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Classic builder (DOCKER_BUILDKIT=0): the built image records the one it was built FROM as its Parent. */
async function classicBuild(host: LabHost, tag: string, from: string): Promise<void> {
  const dir = `/tmp/ctx-${tag.replace(/[^a-z0-9]/g, '-')}`;
  const script = [
    'set -e',
    `mkdir -p ${dir}`,
    `printf 'FROM ${from}\\nCOPY marker /marker\\n' > ${dir}/Dockerfile`,
    `echo ${tag} > ${dir}/marker`,
    `DOCKER_BUILDKIT=0 docker -H unix://${host.dockerSocket} build -q -t ${tag} ${dir}`,
  ].join('\n');
  const result = await host.sh(script);
  if (result.code !== 0) throw new Error(`classic build of ${tag} failed: ${result.stderr.trim()}`);
}

describe('/docker ps, logs, prune and image-deps, end to end on a lab host', () => {
  let host: LabHost;
  let stack: Stack;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'h1', diskMiB: 256 });
    const net = ['--network', 'none', '--log-driver', 'json-file'];
    await docker(host, [
      'run',
      '-d',
      '--name',
      'web',
      ...net,
      BUSYBOX,
      'sh',
      '-c',
      `echo DB_PASSWORD=hunter2; echo listening on 8080; ${KEEP_RUNNING}`,
    ]);
    await docker(host, [
      'run',
      '-d',
      '--name',
      'flaky',
      '--restart',
      'on-failure:2',
      ...net,
      BUSYBOX,
      'sh',
      '-c',
      'echo boom; exit 3',
    ]);
    await docker(host, ['run', '-d', '--name', 'chatty', ...net, BUSYBOX, 'seq', '1', '3000']);
    await classicBuild(host, 'lab-base:1', BUSYBOX);
    await classicBuild(host, 'lab-child:1', 'lab-base:1');
    await docker(host, ['create', '--name', 'uses-child', ...net, 'lab-child:1', 'true']);
    await host.makeDanglingImages(2);
    await waitUntil('flaky to give up after 2 restarts and chatty to finish', 20_000, async () => {
      const states = await docker(host, [
        'inspect',
        '-f',
        '{{.Name}} {{.State.Status}} {{.RestartCount}}',
        'flaky',
        'chatty',
      ]);
      return states.includes('/flaky exited 2') && states.includes('/chatty exited');
    });
    stack = await startStack({ config: testConfig([labHostEntry(host)]), mode: 'http' });
  });

  afterAll(async () => {
    await stack?.stop();
    await host?.destroy();
  });

  const ask = async (text: string, userId: string = USERS.requester) => {
    const ack = await stack.slack.slashCommand({ text, userId, channelId: CHANNEL });
    expect(ack.status).toBe(200);
    return JSON.stringify(ack.body);
  };

  /** The top-level message whose header (or error text) matches. */
  const posted = (match: RegExp, timeoutMs = 30_000): Promise<StoredMessage> =>
    waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && !m.threadTs && match.test(textOf(m)),
      timeoutMs,
    );

  it('ps lists a running and an exited container with restarts and log size', async () => {
    expect(await ask('ps h1')).toContain('Queued ps on h1');

    const text = textOf(await posted(/h1 · ps/));

    expect(text).toMatch(/NAME\s+STATE\s+HEALTH\s+RESTARTS\s+LOG\s+IMAGE/);
    expect(text).toMatch(/web\s+running\s+–\s+0\s+\d+(\.\d)? (B|KiB)\s+busybox:local/);
    expect(text).toMatch(/flaky\s+exited \(3\)\s+–\s+2\s+\d+(\.\d)? (B|KiB)\s+busybox:local/);
    expect(text).toMatch(/uses-child\s+created/);
  });

  it('logs shows a container that printed DB_PASSWORD=hunter2 with the secret redacted', async () => {
    await ask('logs h1 web --tail 50');

    const message = await posted(/h1 · logs web/);

    expect(textOf(message)).toContain('DB_PASSWORD=••••');
    expect(textOf(message)).toContain('listening on 8080');
    expect(textOf(message)).not.toContain('hunter2');
  });

  it('logs of 3,000 lines is uploaded as a file in the thread, with the newest lines in the message', async () => {
    await ask('logs h1 chatty --tail 5000');

    const message = await posted(/h1 · logs chatty/);
    const file = await waitForMessage(stack.slack, CHANNEL, (m) => m.kind === 'file' && m.threadTs === message.ts);

    expect(textOf(message)).toContain('3000');
    expect(textOf(message)).toMatch(/attached as a file in the thread/);
    expect(file.file?.content.trim().split('\n')).toHaveLength(3000);
    expect(file.file?.content.startsWith('1\n2\n3\n')).toBe(true);
    expect(stack.slack.calls.some((call) => call.method === 'files.completeUploadExternal')).toBe(true);
  });

  it('logs of an unknown container is a clear error naming close matches', async () => {
    await ask('logs h1 wbe');

    const error = textOf(await posted(/There is no container `wbe`/));

    expect(error).toMatch(/Close matches: `web`/);
  });

  it.each([['logs all web'], ['logs @web web'], ['image-deps all busybox:local']])(
    'refuses the fleet target in %j at once',
    async (text) => {
      expect(await ask(text)).toMatch(/one host at a time/);
    },
  );

  it('image-deps lists the child image before the image, and the container using the child', async () => {
    await ask('image-deps h1 lab-base:1');

    const message = await posted(/h1 · image-deps lab-base:1/);
    const text = textOf(message);

    expect(text).toMatch(/1\. container\s+uses-child/);
    const child = text.indexOf('child image lab-child:1');
    const image = text.search(/\d\. image\s+lab-base:1/);
    expect(child).toBeGreaterThan(0);
    expect(image).toBeGreaterThan(child);
    expect(buttonsOf(message).map((b) => b.text)).toContainEqual(
      expect.stringMatching(/^Remove lab-base:1 .* · risky$/),
    );
  });

  it('prune shows the plan with sizes and a button; an operator approves and the dangling images go', async () => {
    const dangling = async () =>
      (await docker(host, ['images', '-q', '-f', 'dangling=true'])).split('\n').filter(Boolean);
    expect((await dangling()).length).toBeGreaterThanOrEqual(2);
    await ask('prune h1');

    const plan = await posted(/h1 · prune plan/);
    const text = textOf(plan);
    expect(text).toMatch(/Will free about \d+(\.\d)? (KiB|MiB)/);
    expect(text).toMatch(/2 dangling image/);
    expect(text).toMatch(/Volumes are never pruned by it/);
    const button = buttonsOf(plan).find((b) => /Prune dangling images and build cache \(\d/.test(b.text));
    expect(button).toBeDefined();

    await stack.slack.clickButton({
      actionId: button!.actionId,
      value: button!.value,
      userId: USERS.operator,
      channelId: CHANNEL,
      messageTs: plan.ts,
    });
    const result = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === plan.ts && /freed/i.test(m.text),
      30_000,
    );

    expect(result.text).toMatch(/freed \d/);
    expect(await dangling()).toEqual([]);
    expect(await docker(host, ['images', '-q', 'lab-child:1'])).not.toBe('');
  });
});
