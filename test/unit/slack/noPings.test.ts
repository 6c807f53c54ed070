// Host output that looks like a Slack mention (`<!channel>` in a log line, a label, a finding) reaches
// Slack as text, never as a ping: in blocks and in the `text` fallback, and after every way the client
// reshapes a message. Whom a message would notify is read by the stand-in's own Slack-like parser.

import { describe, expect, it } from 'vitest';
import { blankState } from '../../../src/alerts/store.ts';
import { fitWithoutFile, prepareOutgoing } from '../../../src/slack/client.ts';
import { cutToFit } from '../../../src/slack/fit.ts';
import { mentionsOf } from '../../../src/slack/local/limits.ts';
import { renderAlertRoot } from '../../../src/slack/render/alert.ts';
import {
  renderApprovalRequest,
  renderApproved,
  renderDenied,
  renderFixResult,
  renderRefused,
} from '../../../src/slack/render/approval.ts';
import type { Rendered } from '../../../src/slack/render/blocks.ts';
import { renderError } from '../../../src/slack/render/error.ts';
import { renderFleetSummary } from '../../../src/slack/render/fleet.ts';
import { packFleetDetails } from '../../../src/slack/render/fleetDetails.ts';
import { renderHostReport } from '../../../src/slack/render/hostReport.ts';
import { renderLogs } from '../../../src/slack/render/logs.ts';
import { renderPs } from '../../../src/slack/render/ps.ts';
import { sampleReport } from '../../support/slackFixtures.ts';

const HOSTILE = '<!channel> <!here|here> <!everyone> <@U0CEO> <!subteam^S0OPS> & <https://evil.example|click>';

function pings(message: { text: string; blocks?: unknown[] }): string[] {
  const sent = prepareOutgoing(message);
  return mentionsOf(sent.text, sent.blocks ?? []);
}

const fleetMeta = {
  id: 'fl-abcdef',
  command: 'diskcheck',
  target: 'all',
  channelId: 'C1',
  ts: '1.1',
  requestId: 'rq-abcdef',
  startedAt: 0,
};

const cases: Array<[string, Rendered]> = [
  [
    'a finding (e.g. a compose label)',
    renderHostReport(
      sampleReport({
        findings: [{ check: 'compose-collision', severity: 'crit', summary: HOSTILE, evidence: [HOSTILE] }],
      }),
      [],
    ),
  ],
  [
    'a log line and a container name',
    renderLogs({
      host: 'h1',
      container: { id: 'f'.repeat(64), name: HOSTILE },
      tail: 10,
      lines: [HOSTILE],
      fileAttached: false,
    }),
  ],
  [
    'a ps row',
    renderPs({
      host: 'h1',
      rows: [{ name: HOSTILE, id: 'a'.repeat(64), image: HOSTILE, state: 'running', health: '', restarts: 0 }],
      worst: 'ok',
      logSizesKnown: true,
      durationMs: 1,
    }),
  ],
  [
    'a fleet headline',
    renderFleetSummary(fleetMeta, [{ host: 'web-1', state: 'done', worst: 'crit', headline: HOSTILE }]),
  ],
  [
    'a fleet detail',
    packFleetDetails([
      { host: 'web-1', command: 'diskcheck', worst: 'crit', headline: HOSTILE, highlights: [HOSTILE], buttons: [] },
    ])[0]?.rendered as Rendered,
  ],
  ['an error message', renderError(`docker said: ${HOSTILE}`)],
  [
    'a fix label',
    renderApprovalRequest({
      approvalId: 'ap-1',
      fixTitle: HOSTILE,
      host: 'h1',
      risk: 'safe',
      requestedBy: 'U0OPS',
      operations: [{ description: HOSTILE, command: HOSTILE }],
    }),
  ],
  ['an approved fix', renderApproved('U0ADM', HOSTILE, 'h1', [{ description: HOSTILE, command: HOSTILE }])],
  ['a denied fix', renderDenied('U0ADM', HOSTILE)],
  ['a refusal', renderRefused(HOSTILE)],
  [
    'a fix result',
    renderFixResult(
      { ok: true, summary: HOSTILE, operations: [{ description: 'x', command: HOSTILE, result: HOSTILE }] },
      HOSTILE,
      'h1',
    ),
  ],
  [
    'an alert summary',
    renderAlertRoot({ ...blankState('h1', 'disk-usage', 0), status: 'firing', severity: 'crit', summary: HOSTILE }, []),
  ],
];

describe('host output that looks like a mention', () => {
  it.each(cases)('in %s pings nobody, in blocks or in text', (_where, rendered) => {
    expect(pings(rendered)).toEqual(expect.not.arrayContaining(['@channel', '@here', '@everyone', '@U0CEO']));
    expect(pings(rendered).filter((who) => who !== '@U0OPS' && who !== '@U0ADM')).toEqual([]);
    expect(mentionsOf(rendered.text, [])).toEqual([]);
  });

  it('still reads as what the host said', () => {
    expect(
      JSON.stringify(
        renderLogs({
          host: 'h1',
          container: { id: 'f'.repeat(64), name: 'web' },
          tail: 10,
          lines: [HOSTILE],
          fileAttached: false,
        }).blocks,
      ),
    ).toContain('&lt;!channel&gt;');
  });

  it('pings nobody after the client cuts a long message or sends it without a file', () => {
    const long = renderHostReport(
      sampleReport({
        findings: Array.from({ length: 40 }, (_, i) => ({
          check: `c${i}`,
          severity: 'crit',
          summary: `${HOSTILE} ${i}`,
          evidence: Array.from({ length: 8 }, () => HOSTILE),
        })),
      }),
      [],
    );
    const outgoing = prepareOutgoing({ ...long, blocks: [...long.blocks, ...long.blocks] });

    for (const shaped of [cutToFit(outgoing, 'cut'), fitWithoutFile(outgoing)]) {
      expect(mentionsOf(shaped.text, shaped.blocks ?? [])).toEqual([]);
    }
  });

  it('is stopped by the client even when a renderer forgot to escape it', () => {
    const raw = {
      text: `disk full <!channel>`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '<!here> look' } }],
    };

    expect(pings(raw)).toEqual([]);
  });
});
