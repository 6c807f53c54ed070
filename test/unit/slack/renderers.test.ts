import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, slackLimitProblem } from '../../../src/slack/limits.ts';
import {
  renderApprovalRequest,
  renderApproved,
  renderDenied,
  renderExpired,
  renderFixResult,
  renderOutcomeUnknown,
  renderRefused,
} from '../../../src/slack/render/approval.ts';
import { renderAudit } from '../../../src/slack/render/audit.ts';
import { renderError } from '../../../src/slack/render/error.ts';
import { renderHelp } from '../../../src/slack/render/help.ts';
import { mrkdwnToPlain, toPlainText } from '../../../src/slack/render/plainText.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read Block Kit JSON of any shape.
type AnyBlock = Record<string, any>;
const ops = [
  {
    description: 'Truncate the json-file log of web',
    command: 'truncate -s 0 /var/lib/docker/containers/4f1c/4f1c-json.log',
  },
];

describe('approval renderers', () => {
  it('asks with the exact operations and approve/deny buttons carrying the approval id', () => {
    const { blocks } = renderApprovalRequest({
      approvalId: 'apr_9',
      fixTitle: 'Truncate log',
      host: 'web-1',
      risk: 'risky',
      requestedBy: 'U0OPS',
      operations: ops,
    });
    const buttons = (blocks as AnyBlock[]).find((b) => b.type === 'actions')?.elements;

    expect(toPlainText(blocks)).toContain('$ truncate -s 0 /var/lib/docker/containers/4f1c/4f1c-json.log');
    expect(buttons.map((b: AnyBlock) => [b.action_id, b.value, b.style])).toEqual([
      ['dm_approve', 'apr_9', 'danger'],
      ['dm_deny', 'apr_9', undefined],
    ]);
  });

  it.each([
    ['approved (by, operations)', renderApproved('U0ADM', ops), ['Approved by @U0ADM', 'truncate -s 0']],
    [
      'approved (by, title, host, operations)',
      renderApproved('U0ADM', 'Truncate log', 'web-1', ops),
      ['Truncate log', 'web-1', 'truncate -s 0'],
    ],
    ['denied', renderDenied('U0ADM'), ['Denied by @U0ADM; nothing was run.']],
    ['expired', renderExpired(), ['expired; nothing was run']],
    ['refused', renderRefused('you asked for it yourself (two-person rule)'), ['Not run:', 'two-person rule']],
    ['outcome unknown', renderOutcomeUnknown('Truncate log', 'web-1'), ['Outcome unknown', 'will not be re-run']],
    ['error', renderError('There is no host called nope.'), ['There is no host called nope.']],
  ])('%s says what happened', (_name, rendered, expected) => {
    const plain = toPlainText(rendered.blocks);

    for (const part of expected) expect(plain).toContain(part);
    expect(rendered.text.length).toBeGreaterThan(0);
  });

  it('reports a fix result with each operation run, its result and the bytes freed', () => {
    const outcome = {
      ok: true,
      summary: 'log truncated',
      bytesFreed: 31_457_280,
      operations: ops.map((op) => ({ ...op, result: 'exit 0' })),
    };

    const { text, blocks } = renderFixResult(outcome, 'Truncate log', 'web-1');
    const plain = toPlainText(blocks);

    expect(plain).toContain('✅ *Truncate log* on `web-1`: log truncated · freed 30 MiB');
    expect(plain).toContain('$ truncate -s 0 /var/lib/docker/containers/4f1c/4f1c-json.log');
    expect(plain).toContain('→ exit 0');
    expect(text).toContain('done');
  });
});

describe('renderHelp', () => {
  it('lists every command with its role, within limits', () => {
    const commands = Array.from({ length: 80 }, (_, index) => ({
      usage: `cmd${index} HOST`,
      description: `does thing ${index} ${'x'.repeat(60)}`,
      minRole: index % 2 ? 'operator' : 'viewer',
    }));

    const rendered = renderHelp(commands);

    expect(slackLimitProblem(rendered)).toBeUndefined();
    expect(toPlainText(rendered.blocks)).toContain('/docker cmd79 HOST');
    expect(toPlainText(rendered.blocks)).toContain('(operator)');
  });
});

describe('renderAudit', () => {
  it('shows entries and stays within a section when the trail is long', () => {
    const entries = Array.from({ length: 500 }, (_, index) => ({
      at: `2025-01-01T00:00:${index}Z`,
      actor: 'U0ADM',
      action: 'fix.approved',
      host: 'web-1',
      detail: `apr_${index}`,
    }));

    const rendered = renderAudit(entries);
    const section = (rendered.blocks as AnyBlock[]).find((b) => b.type === 'section');

    expect(slackLimitProblem(rendered)).toBeUndefined();
    expect(section?.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(toPlainText(rendered.blocks)).toContain('U0ADM  fix.approved  web-1  apr_0');
    expect(toPlainText(rendered.blocks)).toMatch(/… \d+ more lines/);
  });

  it('says when the trail is empty', () => {
    expect(renderAudit([]).text).toBe('The audit trail is empty.');
  });
});

describe('mrkdwnToPlain', () => {
  it.each([
    ['<@U123> approved', '@U123 approved'],
    ['see <https://x.example|the docs>', 'see the docs (https://x.example)'],
    ['in <#C1|ops>', 'in #ops'],
    ['a &lt;b&gt; &amp; c', 'a <b> & c'],
    [':white_check_mark: done', '✅ done'],
  ])('%j → %j', (input, expected) => {
    expect(mrkdwnToPlain(input)).toBe(expected);
  });
});
