import { describe, expect, it } from 'vitest';
import { prepareOutgoing } from '../../../src/slack/client.ts';
import { SLACK_LIMITS, slackLimitProblem } from '../../../src/slack/limits.ts';
import { renderHostReport } from '../../../src/slack/render/hostReport.ts';
import { toPlainText } from '../../../src/slack/render/plainText.ts';
import { hugeReport, sampleReport } from '../../support/slackFixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read Block Kit JSON of any shape.
type AnyBlock = Record<string, any>;

function actionsOf(blocks: unknown[]): AnyBlock[] {
  return (blocks as AnyBlock[]).filter((block) => block.type === 'actions').flatMap((block) => block.elements);
}

describe('renderHostReport', () => {
  it('shows header, filesystem table with blocks and inodes, logs, reclaimable and findings worst first', () => {
    const report = sampleReport();

    const { text, blocks } = renderHostReport(report, []);
    const plain = toPlainText(blocks);

    expect((blocks[0] as AnyBlock).text.text).toBe('🔴 web-1 · diskcheck');
    expect(plain).toContain('took 1.2 s');
    expect(plain).toMatch(/MOUNT +TYPE +SIZE +USED +AVAIL +BLOCKS +INODES/);
    expect(plain).toMatch(/\/var\/lib\/docker +ext4 .* 93% +15% +← Docker root/);
    expect(plain).toContain('`web` 30 MiB');
    expect(plain).toContain('dangling-images: 300 MiB of 300 MiB (3)');
    expect(plain.indexOf('93% full')).toBeLessThan(plain.indexOf('json-file log'));
    expect(plain).toContain('/dev/loop3  ext4  1.9G');
    expect(text).toContain('web-1 diskcheck: 2 findings');
    expect(actionsOf(blocks)).toEqual([]);
  });

  it('makes an approve and a deny button per fix, the approval id as value and a style by risk', () => {
    const buttons = [
      { approvalId: 'apr_1', label: 'Truncate log of web (30 MiB)', risk: 'risky' as const },
      { approvalId: 'apr_2', label: 'Prune dangling images', risk: 'safe' as const },
      { approvalId: 'apr_3', label: 'L'.repeat(200), risk: 'dangerous' as const },
    ];

    const { blocks } = renderHostReport(sampleReport(), buttons);
    const elements = actionsOf(blocks);

    expect((blocks as AnyBlock[]).filter((block) => block.type === 'actions')).toHaveLength(3);
    expect(elements.map((e) => [e.action_id, e.value, e.style])).toEqual([
      ['dm_approve', 'apr_1', 'danger'],
      ['dm_deny', 'apr_1', undefined],
      ['dm_approve:2', 'apr_2', 'primary'],
      ['dm_deny:2', 'apr_2', undefined],
      ['dm_approve:3', 'apr_3', 'danger'],
      ['dm_deny:3', 'apr_3', undefined],
    ]);
    expect(elements[0]?.text.text).toBe('Truncate log of web (30 MiB) · risky');
    expect(elements[4]?.text.text).toHaveLength(SLACK_LIMITS.buttonText);
    expect(elements[4]?.text.text.endsWith('… · dangerous')).toBe(true);
  });

  it('keeps a huge report within Slack limits and keeps the most severe findings', () => {
    const report = hugeReport(200);
    const buttons = Array.from({ length: 40 }, (_, index) => ({
      approvalId: `apr_${index}`,
      label: `fix ${index}`,
      risk: 'safe' as const,
    }));

    const rendered = renderHostReport(report, buttons);

    expect(slackLimitProblem(rendered)).toBeUndefined();
    expect(rendered.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of rendered.blocks as AnyBlock[]) {
      if (block.type === 'section') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      if (block.type === 'section') expect(block.text.text.split('```').length % 2).toBe(1);
    }
    // At most 10 offered fixes, each an approve + deny row.
    expect(actionsOf(rendered.blocks)).toHaveLength(20);
    const plain = toPlainText(rendered.blocks);
    expect(plain).not.toContain('(warn)');
    expect(plain).toContain('(crit)');
    expect(plain).toMatch(/… and \d+ more findings \(.*crit.*\) not shown/);
  });

  it('says clearly when the host could not be reached', () => {
    const report = sampleReport({
      reachable: false,
      dockerAvailable: false,
      findings: [],
      disk: undefined,
      results: [
        {
          check: 'disk-usage',
          durationMs: 3000,
          findings: [],
          error: { code: 'dm_host_unreachable', message: 'connect ECONNREFUSED 10.1.2.3:22' },
        },
      ],
    });

    const { text, blocks } = renderHostReport(report, []);

    expect(text).toContain('unreachable');
    expect(toPlainText(blocks)).toContain('Could not reach web-1.');
    expect(toPlainText(blocks)).toContain('connect ECONNREFUSED 10.1.2.3:22');
  });

  it('says clearly when dockerd does not answer', () => {
    const { text, blocks } = renderHostReport(sampleReport({ dockerAvailable: false }), []);

    expect(text).toContain('dockerd not answering');
    expect(toPlainText(blocks)).toContain('dockerd is not answering on web-1.');
  });

  it('escapes host output so it cannot mention people or form links', () => {
    const report = sampleReport({
      findings: [{ check: 'x', severity: 'warn', summary: '<!channel> & <http://evil|click>', evidence: ['<@U123>'] }],
    });

    const { blocks } = renderHostReport(report, []);
    const raw = JSON.stringify(blocks);

    expect(raw).toContain('&lt;!channel&gt; &amp; &lt;http://evil|click&gt;');
    expect(raw).not.toContain('<@U123>');
  });

  it('has its secrets redacted on the way out', () => {
    const report = sampleReport({
      findings: [{ check: 'env', severity: 'info', summary: 'env of web', evidence: ['POSTGRES_PASSWORD=hunter2'] }],
    });

    const outgoing = prepareOutgoing(renderHostReport(report, []));

    expect(JSON.stringify(outgoing)).not.toContain('hunter2');
    expect(toPlainText(outgoing.blocks)).toContain('POSTGRES_PASSWORD=••••');
  });
});
