// `/docker image-deps`: the removal order that makes `docker rmi` work. Containers first (running
// ones stopped), then child images deepest first, then the image itself.

import type { NotOffered, OfferedFix } from '../../approvals/offer.ts';
import type { ImageDependencies } from '../../evidence/imageGraph.ts';
import { truncate } from '../limits.ts';
import { type Block, codeSection, context, escapeMrkdwn, header, type Rendered, section } from './blocks.ts';
import { fixActions } from './hostReport.ts';

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Pure: the numbered removal steps, ending with the image itself. */
export function removalLines(deps: ImageDependencies): string[] {
  const states = new Map(deps.containers.map((container) => [container.id, container.state]));
  const lines = deps.removalOrder.map((step, index) => {
    const state = step.kind === 'container' ? states.get(step.id) : undefined;
    const what = step.kind === 'container' ? 'container' : 'child image';
    return `${index + 1}. ${what.padEnd(11)} ${truncate(step.name, 60)} (${shortId(step.id)})${state ? ` · ${state}` : ''}`;
  });
  lines.push(
    `${deps.removalOrder.length + 1}. ${'image'.padEnd(11)} ${truncate(deps.image.name, 60)} (${shortId(deps.image.id)})`,
  );
  return lines;
}

export function renderImageDeps(
  host: string,
  ref: string,
  deps: ImageDependencies,
  buttons: OfferedFix[] = [],
  notOffered: NotOffered[] = [],
): Rendered {
  const name = escapeMrkdwn(deps.image.name);
  const blocks: Block[] = [
    header(`🧱 ${host} · image-deps ${truncate(ref, 80)}`),
    context([`\`${escapeMrkdwn(shortId(deps.image.id))}\` ${name}`]),
  ];
  if (deps.removalOrder.length === 0) {
    blocks.push(
      section(`✅ Nothing blocks \`docker rmi ${escapeMrkdwn(ref)}\`: no child images and no containers use it.`),
    );
    return { text: escapeMrkdwn(`${host} image-deps ${ref}: nothing blocks docker rmi`), blocks };
  }
  const running = deps.containers.filter((container) => container.state === 'running').length;
  blocks.push(
    section(
      `*\`docker rmi\` refuses ${name}* while ${deps.children.length} child image(s) and ${deps.containers.length} container(s) depend on it. Remove them in this order:`,
    ),
  );
  blocks.push(codeSection('', removalLines(deps)));
  const notes = ['Containers first (`docker rm`), then child images deepest first (`docker rmi`), then the image.'];
  if (running > 0) notes.push(`${running} of the containers are running: stop them first.`);
  notes.push('`docker rmi -f` does not help: dependent child images "cannot be forced".');
  blocks.push(context(notes));
  blocks.push(...fixActions(buttons, notOffered));
  return {
    text: escapeMrkdwn(
      `${host} image-deps ${ref}: ${deps.children.length} child image(s) and ${deps.containers.length} container(s) block docker rmi`,
    ),
    blocks,
  };
}
