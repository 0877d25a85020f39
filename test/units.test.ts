import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  distributionSchema,
  durationSchema,
  formatDuration,
  loadEmpiricalFile,
  parseDuration,
  parseRate,
  rateSchema,
  UnitError,
} from '../src/scenario/units.js';

/** The issues zod reports for `input`, as {path, message}. */
function issuesOf(schema: z.ZodType, input: unknown): { path: string; message: string; code: string }[] {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
}

describe('Durations', () => {
  it.each([
    ['250ms', 0.25],
    ['1.5s', 1.5],
    ['2m', 120],
    ['1h', 3600],
    ['50us', 0.00005],
    ['50µs', 0.00005],
    ['6m30s', 390],
    ['5m30s', 330],
    ['1h30m', 5400],
    ['1h0m5s250ms', 3605.25],
    ['.5s', 0.5],
    ['30', 30],
    ['0', 0],
    ['1e-3', 0.001],
    [' 2m ', 120],
    [2, 2],
    [0.125, 0.125],
  ] as const)('%j is %f seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it('explain what is allowed when the text is not a Duration', () => {
    expect(() => parseDuration('2 minutes')).toThrow(
      new UnitError('"2 minutes" is not a Duration; use a number with a unit: 250ms, 1.5s, 2m, 1h, 50us, or a combination such as 6m30s (a bare number is seconds)'),
    );
    for (const bad of ['', 'ms', '5 ms', '5sec', '1d', '1h-5m', 'abc', '5m30']) expect(() => parseDuration(bad)).toThrow(UnitError);
  });

  it('are never negative or infinite', () => {
    expect(() => parseDuration('-5s')).toThrow(/"-5s" is not a Duration: it is negative/);
    expect(() => parseDuration(-1)).toThrow(/-1 is not a Duration: it is negative/);
    expect(() => parseDuration(Number.NaN)).toThrow(/not a finite number/);
    expect(() => parseDuration(Infinity)).toThrow(UnitError);
  });

  it('write compound parts from the largest unit down, each once', () => {
    expect(() => parseDuration('30s1m')).toThrow(/from the largest unit down/);
    expect(() => parseDuration('1m1m')).toThrow(/each unit once/);
  });

  it.each([
    [0, '0s'],
    [0.25, '250ms'],
    [90, '1m30s'],
    [390, '6m30s'],
    [5400, '1h30m'],
    [0.00005, '50us'],
    [0.0015, '1.5ms'],
    [1.5, '1.5s'],
    [86400, '24h'],
    [3600.5, '1h500ms'],
    [119.9999999, '2m'],
  ])('formatDuration(%f) is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('read back what formatDuration writes, to 6 significant digits below a minute and 1 µs above', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e7, noNaN: true }), (seconds) => {
        const back = parseDuration(formatDuration(seconds));
        const tolerance = seconds < 60 ? 5e-6 * seconds : 1e-6;
        expect(Math.abs(back - seconds)).toBeLessThanOrEqual(tolerance * (1 + 1e-9));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('as a schema, report a zod issue instead of throwing', () => {
    expect(durationSchema.parse('6m30s')).toBe(390);
    expect(issuesOf(durationSchema, '2 minutes')).toEqual([
      { path: '', code: 'custom', message: expect.stringContaining('"2 minutes" is not a Duration') as unknown },
    ]);
    expect(issuesOf(durationSchema, true)[0].message).toMatch(/^must be a Duration: 250ms/);
    expect(issuesOf(z.object({ duration: durationSchema }), {})).toEqual([{ path: 'duration', code: 'custom', message: expect.stringMatching(/^required: a Duration/) as unknown }]);
  });
});

describe('Rates', () => {
  it.each([
    ['2000/s', 2000],
    ['90/m', 1.5],
    ['3600/h', 1],
    ['2.5', 2.5],
    ['0/s', 0],
    [100, 100],
  ] as const)('%j is %f per second', (input, perSecond) => {
    expect(parseRate(input)).toBe(perSecond);
  });

  it('explain what is allowed when the text is not a Rate', () => {
    expect(() => parseRate('fast')).toThrow(new UnitError('"fast" is not a Rate; use a number per unit of time: 2000/s, 90/m, 3600/h (a bare number is per second)'));
    expect(() => parseRate('-3/s')).toThrow(/negative/);
    expect(() => parseRate('5/d')).toThrow(UnitError);
    expect(() => parseRate(-1)).toThrow(UnitError);
    expect(issuesOf(rateSchema, '10 per second')[0].message).toMatch(/is not a Rate/);
    expect(rateSchema.parse('90/m')).toBe(1.5);
  });
});

describe('Distributions', () => {
  it.each([
    ['12ms', { dist: 'constant', value: 0.012 }],
    [0.5, { dist: 'constant', value: 0.5 }],
    [{ dist: 'constant', value: '1s' }, { dist: 'constant', value: 1 }],
    [{ dist: 'exponential', mean: '5ms' }, { dist: 'exponential', mean: 0.005 }],
    [{ dist: 'uniform', min: '1ms', max: '3ms' }, { dist: 'uniform', min: 0.001, max: 0.003 }],
    [{ dist: 'normal', mean: '10ms', stddev: '2ms' }, { dist: 'normal', mean: 0.01, stddev: 0.002 }],
    [{ dist: 'lognormal', median: '0.05ms', p99: '0.2ms' }, { dist: 'lognormal', median: 0.00005, p99: 0.0002 }],
    [{ dist: 'lognormal', mean: '20ms', stddev: '5ms' }, { dist: 'lognormal', mean: 0.02, stddev: 0.005 }],
    [{ dist: 'gamma', mean: '12ms', cv: 1.5 }, { dist: 'gamma', mean: 0.012, cv: 1.5 }],
    [{ dist: 'weibull', shape: 1.5, scale: '1s' }, { dist: 'weibull', shape: 1.5, scale: 1 }],
    [{ dist: 'pareto', scale: '1ms', shape: 2.5 }, { dist: 'pareto', scale: 0.001, shape: 2.5 }],
    [{ dist: 'empirical', values: ['1ms', 0.002, '3ms'] }, { dist: 'empirical', values: [0.001, 0.002, 0.003] }],
    [{ dist: 'empirical', values: ['1ms', '2ms'], weights: [3, 1] }, { dist: 'empirical', values: [0.001, 0.002], weights: [3, 1] }],
    [{ dist: 'empirical', file: 'latencies.csv' }, { dist: 'empirical', file: 'latencies.csv' }],
  ])('%j parses to %j (times in seconds)', (input, output) => {
    expect(distributionSchema.parse(input)).toEqual(output);
  });

  it.each([
    [{ dist: 'exponential', mean: 'x' }, 'mean', /"x" is not a Duration/],
    [{ dist: 'exponential', mean: 0 }, 'mean', /must be a Duration > 0/],
    [{ dist: 'exponential' }, 'mean', /^required: a Duration/],
    [{ dist: 'uniform', min: '2s', max: '1s' }, 'max', /must be ≥ min/],
    [{ dist: 'normal', mean: '-1ms', stddev: '1ms' }, 'mean', /negative/],
    [{ dist: 'lognormal', median: '1ms', p99: '1ms' }, 'p99', /must be > median/],
    [{ dist: 'lognormal', median: '1ms' }, 'p99', /^required/],
    [{ dist: 'lognormal', median: '1ms', stddev: '1ms' }, '', /either median and p99, or mean and stddev/],
    [{ dist: 'gamma', mean: '12ms', cv: 0 }, 'cv', /must be a number > 0/],
    [{ dist: 'gamma', mean: '12ms', cv: '1' }, 'cv', /must be a number/],
    [{ dist: 'weibull', shape: -1, scale: '1s' }, 'shape', /> 0/],
    [{ dist: 'pareto', scale: '0s', shape: 2 }, 'scale', /> 0/],
    [{ dist: 'empirical', values: [] }, 'values', /at least one value/],
    [{ dist: 'empirical', values: [1, 2], weights: [1] }, 'weights', /one weight per value: 2 values, 1 weights/],
    [{ dist: 'empirical', values: [1, 2], weights: [0, 0] }, 'weights', /sum to more than 0/],
    [{ dist: 'empirical', values: [1], weights: [-1] }, 'weights.0', /≥ 0/],
    [{ dist: 'empirical', values: [1], file: 'x.csv' }, '', /values \(with optional weights\) or file, not both/],
    [{ dist: 'zipf' }, 'dist', /"zipf" is not a distribution; use one of constant, exponential/],
    [{ mean: '1s' }, 'dist', /^required: the kind of distribution/],
    [[1, 2], '', /must be a Duration \(a constant, e\.g\. 12ms\) or an object with dist:/],
    ['fast', '', /"fast" is not a Duration/],
  ])('%j is rejected at "%s" with a message that says why', (input, path, message) => {
    const issues = issuesOf(distributionSchema, input);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe(path);
    expect(issues[0].message).toMatch(message);
  });

  it('reject unknown parameters as unknown keys, located at the distribution', () => {
    expect(issuesOf(distributionSchema, { dist: 'exponential', mean: '1s', median: '1s' })).toEqual([
      { path: '', code: 'unrecognized_keys', message: expect.stringContaining('median') as unknown },
    ]);
  });

  it('report issues with their full path when nested in a scenario', () => {
    const workload = z.strictObject({ serviceTime: distributionSchema });
    expect(issuesOf(workload, { serviceTime: { dist: 'gamma', mean: '12 ms', cv: 1 } })).toEqual([
      { path: 'serviceTime.mean', code: 'custom', message: expect.stringContaining('"12 ms" is not a Duration') as unknown },
    ]);
  });

  it('work with prefault, so that defaults can be written as the user would', () => {
    const latency = z.strictObject({ sameNode: distributionSchema.prefault('0.05ms'), warmup: durationSchema.prefault(0) });
    expect(latency.parse({})).toEqual({ sameNode: { dist: 'constant', value: 0.00005 }, warmup: 0 });
  });
});

describe('JSON Schema of the scalars', () => {
  type Defs = { $ref?: string; $defs: Record<string, { anyOf: { pattern?: string }[]; description?: string }> };
  const jsonSchemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input' }) as unknown as Defs;

  it('is generated for editors from the same schemas, each scalar defined once and referred to', () => {
    expect(jsonSchemaOf(durationSchema).$defs.Duration.anyOf[0].pattern).toBeDefined();
    expect(jsonSchemaOf(rateSchema).$defs.Rate.description).toMatch(/^Rate/);
    const distribution = jsonSchemaOf(distributionSchema);
    expect(distribution.$ref).toBe('#/$defs/Distribution');
    const text = JSON.stringify(distribution);
    for (const dist of ['constant', 'exponential', 'uniform', 'normal', 'lognormal', 'gamma', 'weibull', 'pareto', 'empirical']) expect(text).toContain(`"const":"${dist}"`);
    expect(text).toContain('"additionalProperties":false');
    const twice = JSON.stringify(jsonSchemaOf(z.object({ a: distributionSchema, b: distributionSchema.prefault('1ms') })));
    expect(twice.match(/"const":"gamma"/g)).toHaveLength(1);
  });

  it('accepts exactly the Duration strings the parser accepts, for a sample of inputs', () => {
    const pattern = new RegExp(jsonSchemaOf(durationSchema).$defs.Duration.anyOf[0].pattern!);
    for (const text of ['250ms', '6m30s', '1.5s', '30', '50us', '1e-3']) expect(pattern.test(text)).toBe(true);
    for (const text of ['2 minutes', '-5s', '1d', '5 ms', '']) expect(pattern.test(text)).toBe(false);
  });
});

describe('empirical files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcsim-units-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('are one column of seconds, with an optional header line', () => {
    expect(loadEmpiricalFile(file('plain.csv', '0.1\n0.25\n\n1.5\n'))).toEqual([0.1, 0.25, 1.5]);
    expect(loadEmpiricalFile(file('header.csv', 'latency_s\r\n0.1\r\n0.2\r\n'))).toEqual([0.1, 0.2]);
    expect(loadEmpiricalFile(file('units.csv', '"seconds"\n12ms\n1\n'))).toEqual([0.012, 1]);
  });

  it('name the line of a value that is not a Duration', () => {
    expect(() => loadEmpiricalFile(file('bad.csv', 'seconds\n0.1\nfast\n'))).toThrow(/^line 3: "fast" is not a Duration/);
    expect(() => loadEmpiricalFile(file('negative.csv', '0.1\n-2\n'))).toThrow(/^line 2: .*negative/);
  });

  it('must hold at least one value', () => {
    expect(() => loadEmpiricalFile(file('empty.csv', 'seconds\n\n'))).toThrow(/no values/);
  });
});
