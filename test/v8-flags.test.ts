/**
 * svcsim's V8 flags are written in four places: the launcher's #! line
 * (scripts/launcher.cjs), `npm start`, the image's entrypoint
 * (deploy/Dockerfile), and SVCSIM_V8_FLAGS, which the pool gives to worker
 * threads of a process started without them. They must agree, and the #!
 * line must fit the 127 bytes that Linux before 5.1 reads of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SVCSIM_V8_FLAGS } from '../src/runner/pool.js';

const ROOT = join(import.meta.dirname, '..');
const launcher = readFileSync(join(ROOT, 'scripts/launcher.cjs'), 'utf8');
const shebang = launcher.split('\n')[0];
const shebangFlags = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)+)$/.exec(shebang)?.[1].trim().split(' ') ?? [];

describe("svcsim's V8 flags", () => {
  it("are the #! line's, as the pool lists them", () => {
    expect(shebangFlags.length).toBeGreaterThan(0);
    expect(shebangFlags).toEqual(SVCSIM_V8_FLAGS);
  });

  it('fit a #! line that every Linux reads whole', () => {
    expect(Buffer.byteLength(shebang)).toBeLessThanOrEqual(127);
  });

  it('are started with by npm start and by the image, as by the #! line', () => {
    const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ');
    expect(start.slice(1, 1 + shebangFlags.length)).toEqual(shebangFlags);
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8'))![1];
    expect((JSON.parse(entrypoint) as string[]).slice(1, 1 + shebangFlags.length)).toEqual(shebangFlags);
  });
});
