import { describe, expect, it } from 'vitest';
import { type AlertSeverity, classifyPercent, type Rule, type RuleState, step } from '../../../src/alerts/rules.ts';

const RULE: Rule = { warn: 80, crit: 90, clear: 75, forMs: 30_000, repeatMs: 60_000 };

/** Feeds (time s, percent) observations through classify + step; returns the events with their times. */
function run(sequence: Array<[number, number]>, rule: Rule = RULE): string[] {
  let state: RuleState = { status: 'ok' };
  const events: string[] = [];
  for (const [seconds, pct] of sequence) {
    const observed: AlertSeverity = classifyPercent(pct, rule, state.status === 'firing' ? state.severity : undefined);
    const { next, event } = step(state, observed, rule, seconds * 1000);
    if (event) events.push(`${seconds}:${event}:${next.severity ?? 'ok'}`);
    state = next;
  }
  return events;
}

describe('classifyPercent', () => {
  it.each([
    [79, undefined, 'ok'],
    [80, undefined, 'warn'],
    [90, undefined, 'crit'],
    [78, 'warn', 'warn'], // above clear: still firing
    [75, 'warn', 'ok'], // at clear: clears
    [87, 'crit', 'crit'], // crit holds down to crit − 5
    [84, 'crit', 'warn'],
  ] as const)('%d%% while firing %s is %s', (pct, firing, expected) => {
    expect(classifyPercent(pct, RULE, firing)).toBe(expected);
  });
});

describe('step (for, hysteresis, repeat)', () => {
  it.each([
    [
      'fires only after `for`',
      [
        [0, 95],
        [10, 95],
        [29, 95],
        [30, 95],
      ],
      ['30:fire:crit'],
    ],
    [
      'a short spike never fires',
      [
        [0, 95],
        [10, 95],
        [20, 50],
        [40, 95],
        [50, 95],
      ],
      [],
    ],
    [
      'repeats only at `repeat`',
      [
        [0, 95],
        [30, 95],
        [60, 95],
        [89, 95],
        [90, 95],
        [150, 95],
      ],
      ['30:fire:crit', '90:repeat:crit', '150:repeat:crit'],
    ],
    [
      'resolves only below clear',
      [
        [0, 95],
        [30, 95],
        [40, 79],
        [50, 76],
        [60, 74],
      ],
      ['30:fire:crit', '40:severity:warn', '60:resolve:ok'],
    ],
    [
      'flapping around crit makes no messages once firing',
      [
        [0, 91],
        [30, 91],
        [31, 89],
        [32, 91],
        [33, 88],
        [34, 92],
      ],
      ['30:fire:crit'],
    ],
    [
      'flapping around warn never fires',
      [
        [0, 81],
        [10, 79],
        [20, 81],
        [30, 79],
        [40, 81],
        [50, 79],
      ],
      [],
    ],
    [
      'escalates warn → crit at once',
      [
        [0, 85],
        [30, 85],
        [35, 95],
      ],
      ['30:fire:warn', '35:severity:crit'],
    ],
  ] as const)('%s', (_name, sequence, expected) => {
    expect(run(sequence.map(([t, p]) => [t, p] as [number, number]))).toEqual(expected);
  });

  it('for: 0s fires on the first observation (the watchdog default)', () => {
    const { event, next } = step({ status: 'ok' }, 'crit', { ...RULE, forMs: 0 }, 5);
    expect(event).toBe('fire');
    expect(next.status).toBe('firing');
  });

  it('an acknowledged alert does not repeat but still resolves', () => {
    const firing: RuleState = { status: 'firing', severity: 'crit', firedAt: 0, lastNotifiedAt: 0, acked: true };
    expect(step(firing, 'crit', RULE, 500_000).event).toBeUndefined();
    expect(step(firing, 'ok', RULE, 500_000).event).toBe('resolve');
  });
});
