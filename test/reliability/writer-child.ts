/**
 * A child process for the kill test (atomic-write.test.ts): replaces the
 * results folder argv[2] again and again, each generation a folder of files
 * that all name the generation, until it is killed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFolderAtomically } from '../../src/results/write.js';

const out = process.argv[2];
const FILES = 20;
let first = 1;
try {
  first = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { generation: number }).generation + 1;
} catch {
  // no folder yet
}
process.stdout.write('started\n');
for (let generation = first; ; generation++) {
  await writeFolderAtomically(out, (tmp) => {
    for (let i = 0; i < FILES; i++) writeFileSync(join(tmp, `part-${i}.csv`), `${generation}\n`.repeat(2000));
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ svcsim: 'test', scenarioSha256: '0', complete: true, generation, files: FILES }));
  });
}
