// GET /health answers anyone (the LAN, a web page through DNS rebinding): the worker's state without a job id, since
// an id is the capability to a job's stream and view. The heartbeat, which the orchestrator receives with its
// token, keeps the ids.

/** Pure: the public part of the worker state (the heartbeat's payload): `jobs` keeps its counts, nothing else. */
export function publicHealth(state: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { jobs, ...rest } = state;
  return jobs === undefined ? rest : { ...rest, jobs: countsOnly(jobs) };
}

/**
 * Numbers, and objects holding numbers, are kept; strings and arrays (ids, or lists of them) are dropped. Allowed by
 * type rather than by name, so a list of ids added to the heartbeat later never reaches /health by default.
 */
function countsOnly(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) out[key] = countsOnly(v);
  }
  return out;
}
