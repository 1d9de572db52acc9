// `transcode-worker service install --pool` through the real CLI on this Linux machine: a pool.yml whose tokens live
// in the service's environment file, installed into a temporary root (files written, no systemctl run), the unit
// checked by systemd's own `systemd-analyze verify`, then status, uninstall and --dry-run. Where systemd-analyze is
// missing the check is skipped and says so (a skip, never a pass).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { runCli } from '../helpers/cli.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const p = runCli(args);
  const { code } = await p.exited;
  return { code, out: p.lines.map((l) => String(l.msg)).join('\n') + p.stderr };
}

describe('service install --pool on Linux (install root)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-pool-service-'));
  const root = path.join(dir, 'root');
  // No token in the file: the service reads them from /etc/transcode-worker/pool.env when it starts.
  const config = path.join(dir, 'pool.yml');
  writeFileSync(config, stringify({ listen: { host: '0.0.0.0', port: 8790 } }));
  const unit = path.join(root, 'etc', 'systemd', 'system', 'transcode-pool.service');
  const workerUnit = path.join(root, 'etc', 'systemd', 'system', 'transcode-worker.service');

  it('install writes transcode-pool.service under the root, running `pool --config`, and runs no systemctl', async () => {
    const r = await cli(['service', 'install', '--pool', '--config', config, '--root', root]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /wrote .*transcode-pool\.service/);
    assert.match(r.out, /not run \(install root\): systemctl enable --now transcode-pool\.service/);
    const text = readFileSync(unit, 'utf8');
    assert.match(
      text,
      new RegExp(`^ExecStart=${process.execPath} \\S+/dist/cli\\.js pool --config ${config}$`, 'm'),
    );
    assert.equal(existsSync(workerUnit), false, 'the worker unit is not touched');
  });

  it('systemd-analyze verify finds nothing wrong with the written unit', (t) => {
    if (!hasAnalyze) {
      t.skip('systemd-analyze is not installed here: the unit was not verified');
      return;
    }
    assert.ok(
      existsSync(path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli.js')),
      'npm run build first',
    );
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 30_000 });
    const complaints = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => l.includes('transcode-pool.service'))
      .join('\n');
    assert.equal(complaints, '');
  });

  it('status says installed; uninstall removes it; --dry-run writes nothing', async () => {
    assert.match(
      (await cli(['service', 'status', '--pool', '--config', config, '--root', root])).out,
      /transcode-pool\.service: installed/,
    );
    const u = await cli(['service', 'uninstall', '--pool', '--config', config, '--root', root]);
    assert.equal(u.code, 0, u.out);
    assert.equal(existsSync(unit), false);
    const other = path.join(dir, 'other-root');
    const d = await cli(['service', 'install', '--pool', '--config', config, '--root', other, '--dry-run']);
    assert.equal(d.code, 0, d.out);
    assert.match(d.out, /would run: systemctl enable --now transcode-pool\.service/);
    assert.match(d.out, /PrivateDevices=yes/);
    assert.equal(existsSync(other), false);
  });

  it('a pool.yml with an unknown key is refused before anything is written', async () => {
    const bad = path.join(dir, 'bad-pool.yml');
    writeFileSync(bad, stringify({ listen: { host: '0.0.0.0', port: 8790 }, placement: 'fast' }));
    const r = await cli([
      'service',
      'install',
      '--pool',
      '--config',
      bad,
      '--root',
      path.join(dir, 'bad-root'),
    ]);
    assert.notEqual(r.code, 0);
    assert.equal(existsSync(path.join(dir, 'bad-root')), false);
  });
});
