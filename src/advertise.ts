// The base URL the orchestrator and TVs use to reach this worker.
import type { NetworkInterfaceInfo } from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** Pure: advertise_url if set, else the listen host, else the first non-internal IPv4 address, else loopback. */
export function deriveAdvertiseUrl(
  configured: string | null,
  listenHost: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string {
  if (configured !== null) return configured;
  let host = listenHost;
  if (WILDCARDS.has(listenHost)) {
    const lan = Object.values(interfaces)
      .flat()
      .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
    host = lan?.address ?? '127.0.0.1';
  }
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${hostPart}:${port}`;
}
