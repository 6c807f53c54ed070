import { describe, expect, it } from 'vitest';
import { alertRequestId } from '../../../src/slack/alertThreads.ts';
import { SLACK_LIMITS, slackLimitProblem } from '../../../src/slack/limits.ts';
import { notOfferedLine, renderNotRun } from '../../../src/slack/render/approval.ts';
import { renderHostReport } from '../../../src/slack/render/hostReport.ts';
import { hugeReport, sampleReport } from '../../support/slackFixtures.ts';

const lost = {
  fix: 'orphan-container-dirs',
  label: 'Move 60 orphan dirs aside',
  reason: 'its parameters are not valid',
};

describe('alertRequestId', () => {
  it('is short and fixed-length for a 63-character host, and differs per incident', () => {
    const host = `docker-prod-01.eu-west-1.example.internal${'x'.repeat(22)}`;
    const first = alertRequestId({ host, check: 'daemon-health', incident: 1 });
    const second = alertRequestId({ host, check: 'daemon-health', incident: 2 });

    expect(host).toHaveLength(63);
    expect(first).toMatch(/^alert-[0-9a-f]{16}$/);
    expect(second).not.toBe(first);
    expect(alertRequestId({ host: 'a', check: 'disk-usage', incident: 1 })).toHaveLength(first.length);
  });
});

describe('notOfferedLine', () => {
  it('counts and names the proposals that got no button', () => {
    expect(notOfferedLine([])).toBeUndefined();
    expect(notOfferedLine([lost])).toBe(
      '⚠️ 1 fix could not be offered: Move 60 orphan dirs aside: its parameters are not valid',
    );
    expect(notOfferedLine([lost, lost, lost, lost])).toMatch(/^⚠️ 4 fixes could not be offered: .*; and 1 more$/);
  });
});

describe('renderHostReport with a proposal not offered', () => {
  it('says so under the buttons, within Slack limits even for a huge report', () => {
    const buttons = [{ approvalId: 'ap-0123456789abcdef', label: 'Prune', risk: 'safe' as const }];

    const small = renderHostReport(sampleReport(), buttons, [lost]);
    const huge = renderHostReport(hugeReport(), buttons, [lost]);

    expect(JSON.stringify(small.blocks)).toContain('1 fix could not be offered');
    expect(JSON.stringify(huge.blocks)).toContain('1 fix could not be offered');
    expect(huge.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(slackLimitProblem(huge)).toBeUndefined();
  });
});

describe('renderNotRun', () => {
  it('tells whether the button works again', () => {
    const back = renderNotRun({ by: 'UOPS2', label: 'Truncate log of web', host: 'h1', buttonBack: true });
    const gone = renderNotRun({ label: 'Truncate log of web', host: 'h1', buttonBack: false });

    expect(back.text).toMatch(/^Not run: UOPS2's approval of Truncate log of web on h1 .*Nothing ran\. .*works again/);
    expect(gone.text).toMatch(/expired: run the check again/);
  });
});
