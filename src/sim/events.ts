/**
 * What can happen in a replication: the event kinds of the data plane, each
 * with the record its integer payload names. The control plane owns its own
 * kinds (controlplane/host.ts `ControlEvent`, numbered from
 * ControlEvents.First on); the loop hands those to it unread.
 */
export const enum Ev {
  /** Traffic entry `payload` generates its next request. */
  Arrival = 0,
  /** Request `payload` starts its next attempt, on a new connection. */
  Retry = 1,
  /** Attempt `payload` reaches its pod. */
  PodArrival = 2,
  /** Attempt `payload` has been served: its slot frees and the response leaves. */
  ServiceEnd = 3,
  /** Attempt `payload` reaches its client's timeout. */
  Timeout = 4,
  /** Call `payload` (a request made by a pod, calls.ts) has ended: its caller learns how. */
  CallEnd = 5,
}
