import { describe, expect, it } from 'vitest';
import { mentionsOf, refusalOf } from '../../../src/slack/local/limits.ts';
import { RateLimiter, SLACK_RATE_RULES } from '../../../src/slack/local/rateLimits.ts';
import { ResponseUrls } from '../../../src/slack/local/responseUrls.ts';
import { MessageStore } from '../../../src/slack/local/store.ts';
import { WebApi } from '../../../src/slack/local/webApi.ts';
import { manifestScopes, Workspace } from '../../../src/slack/local/workspace.ts';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (action_id: string, label = 'Go', value = 'v') => ({
  type: 'button',
  action_id,
  text: { type: 'plain_text', text: label },
  value,
});

describe('refusalOf (Block Kit as Slack checks it)', () => {
  it.each([
    ['51 blocks', 'x', Array.from({ length: 51 }, () => ({ type: 'divider' })), 'invalid_blocks'],
    ['a section of 3,001 characters', 'x', [section('a'.repeat(3001))], 'invalid_blocks'],
    ['an empty section', 'x', [section('')], 'invalid_blocks'],
    [
      'a header of 151 characters',
      'x',
      [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      'invalid_blocks',
    ],
    ['a mrkdwn header', 'x', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], 'invalid_blocks'],
    [
      'button text of 76 characters',
      'x',
      [{ type: 'actions', elements: [button('a', 'b'.repeat(76))] }],
      'invalid_blocks',
    ],
    [
      'a button value of 2,001',
      'x',
      [{ type: 'actions', elements: [button('a', 'Go', 'v'.repeat(2001))] }],
      'invalid_blocks',
    ],
    ['an action_id of 256', 'x', [{ type: 'actions', elements: [button('a'.repeat(256))] }], 'invalid_blocks'],
    [
      'one action_id twice in a message',
      'x',
      [
        { type: 'actions', elements: [button('dm_approve')] },
        { type: 'actions', elements: [button('dm_approve')] },
      ],
      'invalid_blocks',
    ],
    [
      'one block_id twice',
      'x',
      [
        { ...section('a'), block_id: 'b' },
        { ...section('c'), block_id: 'b' },
      ],
      'invalid_blocks',
    ],
    [
      '11 fields',
      'x',
      [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }],
      'invalid_blocks',
    ],
    [
      'a field of 2,001',
      'x',
      [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] }],
      'invalid_blocks',
    ],
    [
      '11 context elements',
      'x',
      [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }],
      'invalid_blocks',
    ],
    ['an unknown block type', 'x', [{ type: 'table' }], 'invalid_blocks'],
    ['blocks that are not JSON', 'x', '[{', 'invalid_blocks_format'],
    [
      '5 sections of 2,500 (12,500 in all)',
      'x',
      Array.from({ length: 5 }, () => section('s'.repeat(2500))),
      'msg_blocks_too_long',
    ],
    ['text of 40,001', 't'.repeat(40_001), undefined, 'msg_too_long'],
    ['no text and no blocks', '', undefined, 'no_text'],
  ])('refuses %s', (_what, text, blocks, error) => {
    expect(refusalOf(text, blocks)?.error).toBe(error);
  });

  it.each([
    ['50 blocks', Array.from({ length: 50 }, () => ({ type: 'divider' }))],
    ['a section of 3,000', [section('a'.repeat(3000))]],
    ['4 sections of 2,900 (11,600 in all)', Array.from({ length: 4 }, () => section('s'.repeat(2900)))],
    ['blocks sent as a JSON string', JSON.stringify([section('hello')])],
  ])('takes %s', (_what, blocks) => {
    expect(refusalOf('fallback', blocks)).toBeUndefined();
  });

  it('says where the problem is, as Slack does', () => {
    expect(refusalOf('x', [section('ok'), section('a'.repeat(3001))])?.errors?.[0]).toContain(
      '[json-pointer:/blocks/1/text/text]',
    );
  });
});

describe('mentionsOf', () => {
  it('finds what Slack would notify in text and mrkdwn, not in escaped text or plain_text', () => {
    const blocks = [
      section('hi <@U123> and &lt;!here&gt;'),
      { type: 'header', text: { type: 'plain_text', text: '<!everyone>' } },
    ];

    expect(mentionsOf('<!channel> alert', blocks).sort()).toEqual(['@U123', '@channel']);
    expect(mentionsOf('&lt;!channel&gt;', [])).toEqual([]);
  });
});

describe('RateLimiter', () => {
  it('lets a channel burst, then answers with whole seconds to wait, per channel', () => {
    let now = 0;
    const limiter = new RateLimiter('slack', () => now);
    const burst = SLACK_RATE_RULES['chat.postMessage']?.burst ?? 0;

    const first = Array.from({ length: burst }, () => limiter.take('chat.postMessage', 'C1'));
    const over = limiter.take('chat.postMessage', 'C1');
    const elsewhere = limiter.take('chat.postMessage', 'C2');
    now += 1000;
    const later = limiter.take('chat.postMessage', 'C1');

    expect(first.every((wait) => wait === undefined)).toBe(true);
    expect(over).toBe(1);
    expect(elsewhere).toBeUndefined();
    expect(later).toBeUndefined();
  });

  it('limits chat.update to about 50 a minute for the app', () => {
    let now = 0;
    const limiter = new RateLimiter('slack', () => now);
    let allowed = 0;
    for (let second = 0; second < 60; second += 1) {
      now = second * 1000;
      for (let call = 0; call < 5; call += 1) if (limiter.take('chat.update', `C${call}`) === undefined) allowed += 1;
    }

    expect(allowed).toBeGreaterThanOrEqual(50);
    expect(allowed).toBeLessThanOrEqual(56);
  });

  it("is off when asked, and takes custom rules over Slack's", () => {
    const off = new RateLimiter('off', () => 0);
    const custom = new RateLimiter({ 'chat.update': { perMinute: 60, burst: 1, per: 'app' } }, () => 0);

    expect(Array.from({ length: 100 }, () => off.take('chat.postMessage', 'C1')).every((w) => w === undefined)).toBe(
      true,
    );
    expect([custom.take('chat.update', 'C1'), custom.take('chat.update', 'C1')]).toEqual([undefined, 1]);
  });
});

describe('Workspace', () => {
  const workspace = new Workspace(manifestScopes(), [
    { id: 'GPRIVATE01', kind: 'private' },
    { id: 'GPRIVATE02', kind: 'private', botMember: true },
    { id: 'CARCHIVED1', archived: true },
  ]);

  it.each([
    ['CPUBLIC001', undefined],
    ['GPRIVATE01', 'not_in_channel'],
    ['GPRIVATE02', undefined],
    ['DSOMEONE01', 'not_in_channel'],
    ['CARCHIVED1', 'is_archived'],
    ['C0E2E', 'channel_not_found'],
    ['', 'channel_not_found'],
  ])('writing in %s: %s', (channel, error) => {
    expect(workspace.writeRefusal(channel)).toBe(error);
  });

  it('lets the bot in a public channel only through chat:write.public', () => {
    const without = new Workspace(['chat:write', 'commands']);

    expect(without.writeRefusal('CPUBLIC001')).toBe('not_in_channel');
    without.invite('CPUBLIC001');
    expect(without.writeRefusal('CPUBLIC001')).toBeUndefined();
  });

  it("reads the bot scopes from manifest.yml and checks each method's", () => {
    expect(manifestScopes()).toEqual(expect.arrayContaining(['chat:write', 'chat:write.public', 'files:write']));
    expect(new Workspace(['chat:write']).missingScope('files.completeUploadExternal')).toMatchObject({
      needed: 'files:write',
    });
  });
});

describe('ResponseUrls', () => {
  it('takes 5 posts within 30 minutes, then used_url; past 30 minutes, expired_url', () => {
    let now = 0;
    const urls = new ResponseUrls(new MessageStore(), { uses: 5, ttlMs: 30 * 60_000 }, () => now);
    const used = urls.issue({ channel: 'C1', user: 'U1' });
    const old = urls.issue({ channel: 'C1', user: 'U1' });

    const statuses = Array.from({ length: 6 }, () => urls.post(used, { text: 'hi' }).status);
    now += 30 * 60_000 + 1;

    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(urls.post(used, { text: 'hi' }).body.error).toBe('expired_url');
    expect(urls.post(old, { text: 'hi' }).body.error).toBe('expired_url');
  });

  it('refuses blocks Slack would refuse', () => {
    const urls = new ResponseUrls(new MessageStore());
    const id = urls.issue({ channel: 'C1', user: 'U1' });

    expect(urls.post(id, { text: 'x', blocks: [section('a'.repeat(3001))] })).toMatchObject({
      status: 400,
      body: { error: 'invalid_blocks' },
    });
  });
});

describe('WebApi', () => {
  function api(scopes = manifestScopes()) {
    const store = new MessageStore();
    const web = new WebApi({
      store,
      workspace: new Workspace(scopes),
      rateLimits: 'off',
      botToken: 'xoxb-t',
      baseUrl: () => 'http://127.0.0.1:1',
      socketUrl: () => 'ws://127.0.0.1:1/socket/x',
    });
    return { web, store };
  }

  it('answers refusals as Slack does: HTTP 200, ok false, the error, and keeps them', () => {
    const { web } = api(['commands']);

    const reply = web.handle('chat.postMessage', { channel: 'CPUBLIC001', text: 'hi' }, 'xoxb-t');

    expect(reply).toMatchObject({ status: 200, body: { ok: false, error: 'missing_scope', needed: 'chat:write' } });
    expect(web.refusals).toMatchObject([{ method: 'chat.postMessage', error: 'missing_scope' }]);
  });

  it('answers 429 with Retry-After when forced', () => {
    const { web } = api();
    web.forceRateLimit('chat.update', 1);

    expect(web.handle('chat.update', {}, 'xoxb-t')).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
  });

  it("refuses a thread_ts that is a reply's: threads hang on their parent", () => {
    const { web } = api();
    const parent = web.handle('chat.postMessage', { channel: 'CPUBLIC001', text: 'root' }, 'xoxb-t');
    const ts = String(parent.body.ts);
    const reply = web.handle('chat.postMessage', { channel: 'CPUBLIC001', text: 'r', thread_ts: ts }, 'xoxb-t');

    const nested = web.handle(
      'chat.postMessage',
      { channel: 'CPUBLIC001', text: 'n', thread_ts: reply.body.ts },
      'xoxb-t',
    );

    expect(reply.body.ok).toBe(true);
    expect(nested.body).toMatchObject({ ok: false, error: 'invalid_thread_ts' });
  });

  it('refuses a wrong token', () => {
    const { web } = api();

    expect(web.handle('auth.test', {}, 'xoxb-other').body).toMatchObject({ ok: false, error: 'invalid_auth' });
  });
});
