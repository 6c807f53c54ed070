// Long results through the renderers, checked by the stand-in's own Block Kit rules (not the product's):
// ps on 150 containers, a doctor report of 20 findings with 8 evidence lines each, fleets of 200 and
// 500 hosts with long names, a fleet thread of many hot hosts. Each arrives as a message Slack takes,
// and whatever it cannot show is in its file.

import { describe, expect, it } from 'vitest';
import type { HostReport } from '../../../src/checks/report.ts';
import type { CheckResult, Finding } from '../../../src/checks/types.ts';
import type { FleetRow } from '../../../src/queue/fleetStore.ts';
import { prepareOutgoing } from '../../../src/slack/client.ts';
import { cutToFit } from '../../../src/slack/fit.ts';
import { blocksTextLength, MESSAGE_TEXT_BUDGET, slackLimitProblem } from '../../../src/slack/limits.ts';
import { refusalOf } from '../../../src/slack/local/limits.ts';
import { renderDoctor } from '../../../src/slack/render/doctor.ts';
import { commonDomain, fleetTable, renderFleetSummary } from '../../../src/slack/render/fleet.ts';
import { type FleetDetail, packFleetDetails } from '../../../src/slack/render/fleetDetails.ts';
import { renderHostReport, splitFindings } from '../../../src/slack/render/hostReport.ts';
import { type PsRow, psTable, renderPs } from '../../../src/slack/render/ps.ts';
import { reportFile } from '../../../src/slack/render/reportFile.ts';
import { sampleReport } from '../../support/slackFixtures.ts';
import { fleetRowsOf } from '../../support/slackMessages.ts';

/** What Slack would answer: undefined when it takes the message. */
function slackSays(message: { text: string; blocks?: unknown[] }) {
  return refusalOf(message.text, message.blocks)?.error;
}

function psRows(count: number): PsRow[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `payments-prod_worker-${String(index).padStart(3, '0')}_1`,
    id: index.toString(16).padStart(64, 'a'),
    image: `registry.corp.example.internal/payments/worker:2024.11.${index % 30}`,
    state: index % 7 === 0 ? 'exited' : 'running',
    ...(index % 7 === 0 ? { exitCode: 137 } : {}),
    health: index % 5 === 0 ? 'unhealthy' : 'healthy',
    restarts: index % 11,
    logBytes: index * 1_048_576,
  }));
}

function doctorReport(findingCount: number): HostReport {
  const findings: Finding[] = Array.from({ length: findingCount }, (_, index) => ({
    check: `check-${index}`,
    severity: index % 3 === 0 ? 'crit' : 'warn',
    summary: `payments-prod_worker-${index}_1 writes a ${100 + index} MiB json-file log without rotation`,
    detail: 'LogConfig.Type=json-file with no max-size: the log grows until the disk is full.',
    evidence: Array.from(
      { length: 8 },
      (_, line) =>
        `/var/lib/docker/containers/${'4f1c9e'.repeat(10)}${line}/${'4f1c9e'.repeat(10)}-json.log  ${812 + line}M  2024-11-0${line + 1}`,
    ),
  }));
  const results: CheckResult[] = findings.map((finding) => ({
    check: finding.check,
    durationMs: 12,
    findings: [finding],
  }));
  return sampleReport({ command: 'doctor', findings, results, worst: 'crit' });
}

const LONG = (index: number) => `docker-prod-eu-west-1-node-${String(index).padStart(2, '0')}.corp.example.internal`;

function fleetRows(count: number, name = LONG): FleetRow[] {
  return Array.from({ length: count }, (_, index) => {
    if (index % 40 === 3) return { host: name(index), state: 'unreachable', headline: `cannot reach ${name(index)}` };
    if (index % 10 === 1) {
      return {
        host: name(index),
        state: 'done',
        worst: 'crit',
        headline: '/var/lib/docker is 96% full (100 MiB of 114 MiB)',
      };
    }
    return { host: name(index), state: 'done', worst: 'ok', headline: 'all checks ok' };
  });
}

const meta = {
  id: 'fl-abcdef',
  command: 'diskcheck',
  target: 'all',
  channelId: 'C1',
  ts: '1.1',
  requestId: 'rq-abcdef',
  startedAt: 0,
};

describe('ps on a host with 150 containers', () => {
  it('is a message Slack takes, saying the whole list is a file', () => {
    const rows = psRows(150);
    expect(psTable(rows).join('\n').length).toBeGreaterThan(15_000);

    const rendered = renderPs({ host: 'web-1', rows, worst: 'warn', logSizesKnown: true, durationMs: 900 });

    expect(slackSays(rendered)).toBeUndefined();
    expect(slackLimitProblem(rendered)).toBeUndefined();
    expect(rendered.hidden).toBeGreaterThan(0);
    expect(JSON.stringify(rendered.blocks)).toContain(`${rendered.hidden} more containers not shown here`);
  });
});

describe('a doctor report with 20 findings of 8 evidence lines', () => {
  const report = doctorReport(20);

  it('is a summary and a full report Slack both take, and the file holds every finding', () => {
    const summary = renderDoctor(report, [{ approvalId: 'ap-1', label: 'Truncate the log', risk: 'risky' }]);
    const full = renderHostReport(report, []);
    const file = reportFile(report);

    expect(slackSays(summary)).toBeUndefined();
    expect(slackSays(full)).toBeUndefined();
    expect(blocksTextLength(full.blocks)).toBeLessThanOrEqual(MESSAGE_TEXT_BUDGET);
    expect(splitFindings(report).hidden.length).toBeGreaterThan(0);
    for (const finding of report.findings) expect(file.content).toContain(finding.summary);
    expect(file.content.split('\n').filter((line) => line.startsWith('   | '))).toHaveLength(160);
  });
});

describe('a fleet summary', () => {
  it('lists every one of 200 hosts with long names, in a message Slack takes', () => {
    const rows = fleetRows(200);

    const summary = renderFleetSummary(meta, rows, 5000);

    expect(slackSays(summary)).toBeUndefined();
    expect(summary.hidden).toBe(0);
    const listed = fleetRowsOf({ blocks: summary.blocks } as never);
    for (const row of rows) {
      const label = row.state === 'unreachable' ? 'UNREACHABLE' : row.worst;
      expect(listed.get(row.host)).toBe(label);
    }
  });

  it('shows what fits of 500 hosts, says so, and the table holds them all', () => {
    const rows = fleetRows(
      500,
      (index) => `host-${String(index).padStart(3, '0')}-with-a-rather-long-name-${index % 7}`,
    );

    const summary = renderFleetSummary(meta, rows, 5000);
    const table = fleetTable(meta, rows);

    expect(slackSays(summary)).toBeUndefined();
    expect(summary.hidden).toBeGreaterThan(0);
    expect(fleetRowsOf({ blocks: summary.blocks } as never).size + summary.hidden).toBe(500);
    expect(JSON.stringify(summary.blocks)).toContain('the full table is attached in the thread');
    for (const row of rows) expect(table.content).toContain(row.host);
  });

  it('while running, says the table comes when every host has answered', () => {
    const rows: FleetRow[] = fleetRows(500, (index) => `h-${index}-${'x'.repeat(50)}`).map((row, index) =>
      index < 100 ? row : { host: row.host, state: 'pending' },
    );

    const summary = renderFleetSummary(meta, rows, 5000);

    expect(slackSays(summary)).toBeUndefined();
    expect(JSON.stringify(summary.blocks)).toContain('will be attached in the thread when every host has answered');
  });

  it.each([
    [['a.corp.example', 'b.corp.example'], '.corp.example'],
    [['a.corp.example', 'b.other.example'], '.example'],
    [['10.1.0.1', '10.2.0.1'], ''],
    [['web-1', 'web-2'], ''],
    [['only.one.host'], ''],
  ])('commonDomain(%j) is %j', (hosts, domain) => {
    expect(commonDomain(hosts)).toBe(domain);
  });
});

describe('the details of a fleet with many hot hosts', () => {
  it('go out a few hosts per reply, each reply one Slack takes, with unique button ids', () => {
    const details: FleetDetail[] = Array.from({ length: 200 }, (_, index) => ({
      host: LONG(index),
      command: 'diskcheck',
      worst: 'crit',
      headline: '/var/lib/docker is 96% full (100 MiB of 114 MiB); it holds the Docker root dir',
      highlights: ['payments-prod_worker-1_1 writes a 812 MiB json-file log', 'Docker could give back 1.9 GiB'],
      buttons: [
        { approvalId: `ap-${index}a`, label: 'Truncate the log of payments-prod_worker-1_1 (812 MiB)', risk: 'risky' },
        { approvalId: `ap-${index}b`, label: 'Prune dangling images and build cache', risk: 'safe' },
      ],
    }));

    const replies = packFleetDetails(details);

    expect(replies.length).toBeLessThanOrEqual(20);
    expect(replies.flatMap((reply) => reply.details.map((d) => d.host))).toEqual(details.map((d) => d.host));
    for (const reply of replies) expect(slackSays(reply.rendered)).toBeUndefined();
  });
});

describe('cutToFit', () => {
  it('keeps the start of a message, every row of buttons, and says it was cut', () => {
    const buttons = {
      type: 'actions',
      elements: [{ type: 'button', action_id: 'dm_approve', text: { type: 'plain_text', text: 'Go' }, value: 'ap-1' }],
    };
    const long = {
      text: 'report',
      blocks: [
        ...Array.from({ length: 10 }, (_, i) => ({
          type: 'section',
          text: { type: 'mrkdwn', text: `${i}${'x'.repeat(2500)}` },
        })),
        buttons,
      ],
    };

    const cut = cutToFit(long, 'The whole message is attached as a file.');

    expect(slackSays(cut)).toBeUndefined();
    expect(cut.blocks?.at(-1)).toEqual(buttons);
    expect(JSON.stringify(cut.blocks)).toContain('attached as a file');
  });

  it('goes through prepareOutgoing without giving a ping back', () => {
    const cut = cutToFit(prepareOutgoing({ text: '&lt;!channel&gt; disk full', blocks: [] }), 'cut');

    expect(cut.text).not.toContain('<!channel>');
  });
});

describe('fleet groups', () => {
  it('put hosts whose headline differs only by their own name in one group', () => {
    const rows: FleetRow[] = ['web-1', 'web-2', 'db-1'].map((host) => ({
      host,
      state: 'done',
      worst: 'crit',
      headline: `dockerd is not running on ${host}`,
    }));

    const summary = renderFleetSummary(meta, rows, 0);

    const sections = summary.blocks.filter((block) => (block as { type: string }).type === 'section');
    expect(sections).toHaveLength(1);
    expect(JSON.stringify(sections)).toContain('dockerd is not running on this host (3)');
  });
});
