/**
 * Labels and selectors, the one copy: a workload without `labels` is labelled
 * `{app: <name>}`, and a Service's selector matches a workload when every
 * key/value of the selector is among the workload's labels. An empty selector
 * matches nothing: in Kubernetes a Service without a selector has no
 * endpoints managed for it (its EndpointSlices are the user's to write).
 */

/** A workload's labels: its own, or the default `{app: <name>}`. */
export function labelsOf(w: { name: string; labels?: Record<string, string> }): Record<string, string> {
  return w.labels ?? { app: w.name };
}

/** Does a Service selector select these labels? An empty selector selects nothing. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}
