// The command line's entry (run by `svcsim`, the launcher scripts/launcher.cjs, from
// its bundle dist/src/chunks/cli.cjs): everything else lives in main.ts so that tests can call it.
import { main } from './main.js';

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
