#!/usr/bin/env -S node --no-concurrent-recompilation
// The executable behind `svcsim`: everything else lives in main.ts so that tests can call it.
import { main } from './main.js';

// `--no-concurrent-recompilation` (the `#!` line): V8 compiles hot functions
// for its optimising tier on a thread of its own while the code runs on,
// slower, in the meantime. A replication's hot functions take ≈ 0.1 s of such
// compiling; when no core is free for that thread (worker threads, a shared
// machine) the first replication in the main thread ran up to 0.3 s slower
// than the next. Compiled on the spot, it is as fast as the others. The flag
// must be given when Node starts; worker threads get it from pool.ts.

// `svcsim trace … | head -3`: once the reader has closed the pipe, there is
// nobody left to write to. Stop quietly with exit code 0, as `cat` and `yes` do,
// instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`svcsim: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
