import { proposeImageRemoval } from '../../src/fixes/remove-image-children.ts';
// `/docker image-deps HOST IMAGE`: what keeps `docker rmi IMAGE` from working. The reference is
// resolved through the Engine API by src/checks/image-children.ts (GET /images/{ref}/json), which
// also walks the Parent chains; this handler only words and renders the answer.

import { DockmedicError } from '../../src/errors.ts';
import { imageDependencies } from '../../src/evidence/imageGraph.ts';
import { renderImageDeps } from '../../src/slack/render/imageDeps.ts';
import type { JobHandler } from './types.ts';

export const imageDepsJob: JobHandler = async ({ conn, job }) => {
  const ref = job.args.image;
  if (!ref) {
    throw new DockmedicError('dm_bad_arguments', 'image-deps job without an image', {
      userMessage: 'No image was named. Usage: `/docker image-deps HOST IMAGE`',
    });
  }
  const deps = await imageDependencies(conn, ref);
  const blockers = deps.removalOrder.length;
  return {
    worst: blockers > 0 ? 'info' : 'ok',
    headline:
      blockers > 0
        ? `${deps.image.name}: ${deps.children.length} child image(s) and ${deps.containers.length} container(s) block docker rmi`
        : `${deps.image.name}: nothing blocks docker rmi`,
    // The same risky, approval-gated removal the image-children check offers; it works the order out again.
    proposals: blockers > 0 ? [proposeImageRemoval(deps.image, deps.children.length, deps.containers.length)] : [],
    render: (offer) => renderImageDeps(conn.host.name, ref, deps, offer.offered, offer.notOffered),
  };
};
