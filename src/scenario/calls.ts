/**
 * Service call graphs (spec "calls"): a workload's pods call other Services
 * while they serve a request, as microservices do: `frontend` calls `cart`
 * and then `catalog` three times at once, and those call further Services.
 *
 * A workload's `calls` are steps done in order after its `serviceTime`; a
 * step is one call or `{parallel: [call, ...]}`. A call is an in-cluster
 * request from the caller pod's node to the Service's `clusterIP:port`:
 * kube-proxy on that node picks the backend with the Service's own policies.
 *
 * The scenario keeps calls as written (with count, probability and required
 * filled); `callSteps` gives the engine's form: every step a list of calls
 * made together, every call with its Service and port resolved to indices
 * and numbers. The rules (rules.ts) have checked that every Service and port
 * exists and that the graph has no loop, so it cannot fail on a loaded
 * scenario.
 */
import type { Segment } from './paths.js';
import type { Call, CallStep, Scenario, Service, Workload } from './schema.js';

/** One call, resolved against the scenario. */
export interface ResolvedCall {
  /** The Service called: its name and its index in `scenario.services`. */
  service: string;
  serviceIndex: number;
  /** The Service port called: its index in `spec.ports` and its number (the caller dials clusterIP:port). */
  portIndex: number;
  port: number;
  /** Identical calls made at once (fan-out). */
  count: number;
  /** The call is made with this probability (one draw per request and call). */
  probability: number;
  /** A required call that fails (after the client's retries) fails the caller's request. */
  required: boolean;
}

/** Calls made together: the step ends when all of them end. A step of one call has one. */
export type ResolvedCallStep = ResolvedCall[];

/** The calls of one step. */
export function callsOfStep(step: CallStep): Call[] {
  return 'parallel' in step ? step.parallel : [step];
}

/** Where one call is written in its workload: `calls.<step>` or `calls.<step>.parallel.<k>`. */
export interface CallSite {
  call: Call;
  step: number;
  /** Segments below the workload, for positions in messages. */
  segs: Segment[];
}

export function callSites(w: Workload): CallSite[] {
  return w.calls.flatMap((step, j) => ('parallel' in step ? step.parallel.map((call, k) => ({ call, step: j, segs: ['calls', j, 'parallel', k] })) : [{ call: step, step: j, segs: ['calls', j] }]));
}

/** The index of the port a call or traffic entry names (by number, or by name) in a Service, or -1. */
export function servicePortIndex(svc: Service, port: number | string): number {
  return svc.spec.ports.findIndex((p) => (typeof port === 'number' ? p.port === port : p.name === port));
}

/** The names of the Services some workload calls (their calls get a `service:<name>` scope in summary.csv). */
export function calledServices(s: Pick<Scenario, 'workloads'>): Set<string> {
  return new Set(s.workloads.flatMap((w) => callSites(w).map((c) => c.call.service)));
}

/** A workload's calls in the engine's form. Throws on a scenario the rules did not pass. */
export function callSteps(s: Pick<Scenario, 'services'>, w: Workload): ResolvedCallStep[] {
  return w.calls.map((step) =>
    callsOfStep(step).map((call): ResolvedCall => {
      const serviceIndex = s.services.findIndex((svc) => svc.metadata.name === call.service);
      const svc = s.services[serviceIndex];
      const portIndex = svc === undefined ? -1 : servicePortIndex(svc, call.port);
      if (svc === undefined || portIndex < 0) throw new Error(`workload ${w.name} calls ${call.service}:${call.port}, which the rules should have rejected`);
      return { service: call.service, serviceIndex, portIndex, port: svc.spec.ports[portIndex].port, count: call.count, probability: call.probability, required: call.required };
    }),
  );
}
