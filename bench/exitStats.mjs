// Loaded with `node --import` into a benchmarked process: at exit, prints its
// peak RSS and CPU seconds (every thread) as one JSON line on stderr, so the
// bench can time whole processes without a tool of its own.
process.on('exit', () => {
  const cpu = process.cpuUsage();
  process.stderr.write(`\nBENCH ${JSON.stringify({ peakMB: process.resourceUsage().maxRSS / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
});
