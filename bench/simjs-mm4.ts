/**
 * The yardstick of the M/M/4 pair in `npm run bench`: the same model
 * (λ 3.6/s, μ 1/s, 4 servers, FCFS, N customers) in simjs 2.0.3, the
 * simulator the design first asked for. simjs only sets `window.Sim`, so
 * `window` is made the global object before loading it (reference/stack.md).
 * Prints the utilisation per server, to show the model ran (about 0.9).
 *
 *   node dist/bench/simjs-mm4.js [N]
 */
interface SimjsEntity {
  useFacility(facility: unknown, duration: number): unknown;
  setTimer(duration: number): { done(callback: () => void): unknown };
}
interface Simjs {
  Sim: new () => { addEntity(k: unknown, name: string): unknown; simulate(until: number): boolean; time(): number };
  Facility: { new (name: string, discipline: number, servers: number): { usage(): number }; FCFS: number };
  Entity: new (sim: unknown, name: string) => SimjsEntity;
  Random: new (seed: number) => { exponential(rate: number): number };
}

const g = globalThis as unknown as { window: unknown; Sim: Simjs };
g.window = globalThis;
await import('simjs');
const { Sim, Facility, Entity, Random } = g.Sim;

const customers = Number(process.argv[2] ?? 1_000_000);
const sim = new Sim();
const server = new Facility('server', Facility.FCFS, 4);
const random = new Random(1);
class Arrivals extends Entity {
  start(): void {
    this.useFacility(server, random.exponential(1));
    this.setTimer(random.exponential(3.6)).done(() => this.start());
  }
}
sim.addEntity(Arrivals, 'arrivals');
sim.simulate(customers / 3.6);
console.log(`simjs M/M/4: ${customers} customers, utilisation per server ${(server.usage() / sim.time() / 4).toFixed(3)}`);
