import type { FixContext, FixOutcome, Operation } from './types.ts';

type StepRunner<P> = (ctx: FixContext, params: P, step: number) => Promise<{ ok: boolean; output: string }>;

/**
 * Every step of a runbook in order, stopping at the first failure (the terminal CLI's way; Slack
 * approves and runs one step at a time through runStep). `done` is the summary when all succeed.
 */
export async function runEveryStep<P>(
  ctx: FixContext,
  params: P,
  steps: Operation[],
  runStep: StepRunner<P>,
  done: string,
): Promise<FixOutcome> {
  const operations: FixOutcome['operations'] = [];
  for (const [index, operation] of steps.entries()) {
    const result = await runStep(ctx, params, index);
    operations.push({ ...operation, result: result.output });
    if (!result.ok) {
      return {
        ok: false,
        summary: `Stopped at step ${index + 1} (${operation.description}): ${result.output}`,
        operations,
      };
    }
  }
  return { ok: true, summary: done, operations };
}
