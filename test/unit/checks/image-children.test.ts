import { describe, expect, it } from 'vitest';
import { judgeImageChildren } from '../../../src/checks/image-children.ts';
import { ContainerList, ImageList } from '../../../src/evidence/dockerApi.ts';
import { dependenciesOf, type ImageChildrenEvidence, ImageRef } from '../../../src/evidence/imageGraph.ts';
import { fixtureJson } from './fixtures.ts';

const images = ImageList.parse(fixtureJson('image-children/images-all.json'));
const containers = ContainerList.parse(fixtureJson('image-children/containers-all.json')).map((container) => ({
  id: container.Id,
  name: (container.Names?.[0] ?? '').replace(/^\//, ''),
  imageId: String((container as { ImageID?: unknown }).ImageID),
}));
const evidence: ImageChildrenEvidence = { images, containers };
const parent = images.find((image) => image.RepoTags?.includes('lab-parent:1'))!;

describe('judgeImageChildren', () => {
  it('lists lab-parent:1 with its child and the container using it', () => {
    const findings = judgeImageChildren(evidence);
    const finding = findings.find((candidate) => candidate.summary.startsWith('lab-parent:1'));

    expect(finding).toMatchObject({
      severity: 'info',
      summary:
        'lab-parent:1 has 1 dependent child image(s) and 1 container(s): `docker rmi` refuses it ("image has dependent child images") until they are removed',
      fixes: [{ fix: 'remove-image-children', params: { imageId: parent.Id.slice(7) } }],
    });
  });

  it('is ok with no Parent chains', () => {
    const alone = images.filter((image) => image.RepoTags?.includes('busybox:local'));

    expect(judgeImageChildren({ images: alone, containers: [] })[0]?.severity).toBe('ok');
  });
});

describe('dependenciesOf', () => {
  it('orders containers first, then children deepest first', () => {
    const base = images.find((image) => image.RepoTags?.includes('busybox:local'))!;

    const deps = dependenciesOf(evidence, base.Id);

    const order = deps?.removalOrder.map((step) => `${step.kind} ${step.name}`) ?? [];
    expect(order.indexOf('container lab-child-user')).toBeLessThan(order.indexOf('image lab-child:1'));
    expect(order.indexOf('image lab-child:1')).toBeLessThan(order.indexOf('image lab-parent:1'));
  });
});

describe('ImageRef', () => {
  it.each([
    ['lab-parent:1', true],
    ['registry.example.com:5000/team/app:v1.2', true],
    ['6629ad71cf80', true],
    [`sha256:${'a'.repeat(64)}`, true],
    ['app; rm -rf /', false],
    ['$(id)', false],
    ['../etc', false],
    ['UPPER:tag', false],
  ])('%s valid: %s', (ref, valid) => {
    expect(ImageRef.safeParse(ref).success).toBe(valid);
  });
});
