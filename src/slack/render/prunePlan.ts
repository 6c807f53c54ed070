// `/docker prune`: the safe prune plan. What will be freed (each dangling image and build cache
// record, with sizes), the exact Engine API calls, what is left alone and why, and the button.

import type { NotOffered, OfferedFix } from '../../approvals/offer.ts';
import type { Operation } from '../../fixes/types.ts';
import { formatBytes } from '../../format.ts';
import { type Block, codeSection, context, escapeMrkdwn, header, type Rendered, section } from './blocks.ts';
import { fixActions } from './hostReport.ts';

export interface PruneItem {
  /** Short id (12 hex digits). */
  id: string;
  bytes: number;
  created?: string;
  lastUsed?: string;
}

export interface PrunePlan {
  host: string;
  dangling: PruneItem[];
  danglingBytes: number;
  cache: PruneItem[];
  cacheBytes: number;
  operations: Operation[];
  untouched: {
    stoppedContainers: { count: number; bytes: number };
    unusedImages: { bytes: number };
    volumes: { names: string[]; bytes: number };
  };
}

const ITEMS_SHOWN = 15;

function itemLines(items: readonly PruneItem[], when: (item: PruneItem) => string | undefined): string[] {
  const lines = items.slice(0, ITEMS_SHOWN).map((item) => {
    const date = when(item);
    return `${item.id}  ${formatBytes(item.bytes).padStart(9)}${date ? `  ${date.slice(0, 19).replace('T', ' ')}` : ''}`;
  });
  const more = items.length - lines.length;
  if (more > 0) lines.push(`… ${more} more`);
  return lines;
}

function untouchedLines(plan: PrunePlan): string[] {
  const { stoppedContainers, unusedImages, volumes } = plan.untouched;
  const lines = [
    `• Volumes are never pruned by it${
      volumes.names.length > 0
        ? `: ${volumes.names.length} unused (${formatBytes(volumes.bytes)}): ${volumes.names
            .slice(0, 10)
            .map((name) => `\`${escapeMrkdwn(name)}\``)
            .join(', ')}${volumes.names.length > 10 ? ', …' : ''}`
        : ''
    }. A volume holds data: remove one by name only after checking nobody needs it.`,
  ];
  if (stoppedContainers.count > 0) {
    lines.push(
      `• ${stoppedContainers.count} stopped container(s) (${formatBytes(stoppedContainers.bytes)}) stay: one may be somebody's evidence.`,
    );
  }
  if (unusedImages.bytes > 0) {
    lines.push(
      `• Tagged images no container uses (${formatBytes(unusedImages.bytes)}) stay: someone may still run them.`,
    );
  }
  return lines;
}

export function renderPrunePlan(plan: PrunePlan, buttons: OfferedFix[], notOffered: NotOffered[] = []): Rendered {
  const total = plan.danglingBytes + plan.cacheBytes;
  const empty = plan.dangling.length === 0 && plan.cache.length === 0;
  const blocks: Block[] = [
    header(`🧹 ${plan.host} · prune plan`),
    section(
      empty
        ? '✅ *Nothing to prune safely:* no dangling images and no unused build cache.'
        : `*Will free about ${formatBytes(total)}:* ${plan.dangling.length} dangling image(s) (${formatBytes(plan.danglingBytes)}) and ${plan.cache.length} build cache record(s) (${formatBytes(plan.cacheBytes)}).`,
    ),
  ];
  if (plan.dangling.length > 0) {
    blocks.push(
      codeSection(
        `*Dangling images* (untagged, used by no container): ${formatBytes(plan.danglingBytes)}`,
        itemLines(plan.dangling, (item) => item.created),
      ),
    );
  }
  if (plan.cache.length > 0) {
    blocks.push(
      codeSection(
        `*Unused build cache*: ${formatBytes(plan.cacheBytes)}`,
        itemLines(plan.cache, (item) => item.lastUsed),
      ),
    );
  }
  if (!empty) {
    blocks.push(
      codeSection(
        '*Exactly this runs when approved* (Engine API):',
        plan.operations.map((op) => `${op.command}   # ${op.description}`),
      ),
    );
  }
  blocks.push(section(`*Not touched:*\n${untouchedLines(plan).join('\n')}`));
  blocks.push(
    context([
      'Sizes count only what each image holds alone (shared layers stay), so the space freed may be a little more.',
    ]),
  );
  blocks.push(...fixActions(buttons, notOffered));
  const text = empty
    ? `${plan.host} prune: nothing to prune safely`
    : `${plan.host} prune plan: about ${formatBytes(total)} from ${plan.dangling.length} dangling image(s) and ${plan.cache.length} build cache record(s); volumes are never pruned`;
  return { text, blocks };
}
