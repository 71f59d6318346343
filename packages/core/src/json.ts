/**
 * JSON text of a value with every object's keys sorted, so that equal values give equal text
 * whatever order their keys were written in: what checksums and fingerprints of JSON metadata
 * (checkpoint states, run identities) are taken over. `undefined` and functions become `null`.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
