// What keeps `docker rmi` from removing an image (docs/checks.md, trouble § 16): "image has dependent child images"
// (images built FROM it with the classic builder record it as their Parent) and containers using
// it or a child. `imageDependencies` answers that for one image, in the order to remove things.

import { collectImageChildren, type ImageChildrenEvidence, parentsWithChildren } from '../evidence/imageGraph.ts';
import { proposeImageRemoval, removeImageChildrenFix } from '../fixes/remove-image-children.ts';
import type { Check, Finding } from './types.ts';

export function judgeImageChildren(evidence: ImageChildrenEvidence): Finding[] {
  const parents = parentsWithChildren(evidence);
  if (parents.length === 0) {
    return [
      {
        check: 'image-children',
        severity: 'ok',
        summary: `${evidence.images.length} image(s), none with dependent child images`,
      },
    ];
  }
  return parents.map((parent) => {
    const childNames = parent.children.map((child) => child.name);
    const containerNames = parent.containers.map((container) => container.name);
    return {
      check: 'image-children',
      severity: 'info',
      summary: `${parent.image.name} has ${parent.children.length} dependent child image(s)${
        parent.containers.length > 0 ? ` and ${parent.containers.length} container(s)` : ''
      }: \`docker rmi\` refuses it ("image has dependent child images") until they are removed`,
      detail: [
        'Remove in this order (containers first, then child images, deepest first, then the image):',
        ...parent.removalOrder.map(
          (step, index) => `${index + 1}. ${step.kind} ${step.name} (${step.id.replace(/^sha256:/, '').slice(0, 12)})`,
        ),
        `${parent.removalOrder.length + 1}. image ${parent.image.name}`,
        '`docker rmi -f` does not help here (the children "cannot be forced").',
      ].join('\n'),
      evidence: [
        ...parent.children.map((child) => `${child.name}: Parent chain leads to ${parent.image.id.slice(7, 19)}`),
        ...containerNames.map((name) => `container ${name} uses it or a child`),
      ].slice(0, 10),
      fixes: [proposeImageRemoval(parent.image, childNames.length, containerNames.length)],
    };
  });
}

export const imageChildrenCheck: Check<ImageChildrenEvidence> = {
  id: 'image-children',
  title: 'Images with dependent children',
  doc: {
    seed: [16],
    evidence: 'images with a Parent chain; `/docker image-deps HOST IMAGE`',
    rule: 'shows what blocks `docker rmi` ("image has dependent child images"): child images and containers',
  },
  offers: [removeImageChildrenFix],

  collect: collectImageChildren,
  judge: judgeImageChildren,
};
