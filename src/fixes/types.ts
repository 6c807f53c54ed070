import type { z } from 'zod';
import type { HostConnection } from '../hosts/types.ts';

export const RISKS = ['safe', 'risky', 'dangerous'] as const;
export type Risk = (typeof RISKS)[number];

/** One exact step, shown before approval and reported after. */
export interface Operation {
  description: string;
  /** The exact remote command line or Engine API call. */
  command: string;
}

export interface FixContext {
  conn: HostConnection;
}

export type Recheck = { ok: true; note?: string } | { ok: false; reason: string };

export interface FixOutcome {
  ok: boolean;
  summary: string;
  bytesFreed?: number;
  operations: Array<Operation & { result: string }>;
}

export interface Fix<P = unknown> {
  id: string;
  title: string;
  risk: Risk;
  params: z.ZodType<P>;
  /** The exact operations, for the preview before approval. */
  plan(params: P): Operation[];
  /**
   * The same operations with what only the host knows filled in (e.g. the resolved log path), for
   * an approval message that shows the exact command line. Read-only.
   */
  preview?(ctx: FixContext, params: P): Promise<Operation[]>;
  /** Runs right before the fix: is the evidence still true (the log still there, the container still dead)? */
  recheck(ctx: FixContext, params: P): Promise<Recheck>;
  run(ctx: FixContext, params: P): Promise<FixOutcome>;
  /**
   * Dangerous fixes are runbooks: plan() lists the steps in order, and each step is shown, approved
   * and run on its own through runStep (workers/fix.ts drives it, stopping at the first failure).
   * run() still runs every step in order, stopping at the first failure, for the terminal CLI.
   */
  runStep?(ctx: FixContext, params: P, step: number): Promise<{ ok: boolean; output: string }>;
  /**
   * Runbooks: the fix to offer in the thread after step `step` ended this way, if any: a rollback
   * after a failure, an unknown outcome (a worker died mid-step) or a halt, a clean-up after the last step.
   */
  followUp?(params: P, step: number, outcome: StepOutcome): FixProposal | undefined;
}

/**
 * How a runbook step ended, as followUp sees it. `halted`: it went well, but the step after it was
 * denied or its approval expired, so the runbook stops there.
 */
export type StepOutcome = 'done' | 'failed' | 'unknown' | 'halted';

/** What a proposal may carry: the params of a fix, validated again by the fix's own schema before use. */
export type ProposalParams = Record<string, string | number | boolean>;

/** A fix the worker may offer as a button. Built only through a fix's own `propose…` (see proposerOf). */
export interface FixProposal {
  fix: string;
  label: string;
  params: ProposalParams;
}

/**
 * The proposal builder a fix exports beside itself: checks and alerts propose a fix by importing it,
 * so a misspelt fix is a type error, and params are typed by the fix's own schema.
 */
export function proposerOf<P extends ProposalParams>(fix: Fix<P>): (label: string, params: P) => FixProposal {
  return (label, params) => ({ fix: fix.id, label, params });
}
