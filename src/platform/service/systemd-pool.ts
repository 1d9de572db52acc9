// The systemd unit of `transcode-worker pool`. Not derived from packaging/transcode-worker.service: the pool runs no
// FFmpeg and opens no device, so it gets the tight sandbox (PrivateDevices, no device list, a small MemoryMax). Pure.
import { systemdArg } from './systemd.js';

export const POOL_UNIT = 'transcode-pool.service';
export const POOL_STATE_DIR = '/var/lib/transcode-pool';

export interface PoolUnitOptions {
  readonly nodePath: string;
  readonly cliPath: string;
  readonly configPath: string;
  /** The service user (the worker's, when both run on one machine: one system user for the package). */
  readonly user: string;
}

/** The unit text for this machine. */
export function renderPoolSystemdUnit(o: PoolUnitOptions): string {
  const exec = [o.nodePath, o.cliPath, 'pool', '--config', o.configPath].map(systemdArg).join(' ');
  return [
    '# Written by `transcode-worker service install --pool`.',
    '[Unit]',
    'Description=transcode-worker pool (places jobs on the workers that beat into it)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `User=${o.user}`,
    `Group=${o.user}`,
    `ExecStart=${exec}`,
    '# TRANSCODE_POOL_WORKER_TOKEN=…, TRANSCODE_POOL_CLIENT_TOKEN=…, TRANSCODE_POOL_WORKERS_AUTH_TOKEN=… (mode 0600).',
    'EnvironmentFile=-/etc/transcode-worker/pool.env',
    'StateDirectory=transcode-pool',
    'StateDirectoryMode=0750',
    `WorkingDirectory=${POOL_STATE_DIR}`,
    'Restart=on-failure',
    'RestartSec=2',
    '# SIGTERM closes the listener and exits; the workers keep running and beat again once the pool is back.',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=10',
    '# The pool holds only what the beats rebuild: 50 workers beating fit in well under 100 MB.',
    'MemoryMax=256M',
    'MemorySwapMax=0',
    '',
    '# The pool spawns nothing and opens no device: the full sandbox.',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'ProtectProc=invisible',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'SystemCallArchitectures=native',
    'CapabilityBoundingSet=',
    'AmbientCapabilities=',
    '# AF_NETLINK: Node lists the network interfaces (advertise_url) through it.',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
