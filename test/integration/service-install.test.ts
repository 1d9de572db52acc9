// `transcode-worker service` through the real CLI on this Linux machine: an install into a temporary root (files
// written, no systemctl run), the written unit checked by systemd's own `systemd-analyze verify`, then status and
// uninstall. Where systemd-analyze is missing the check is skipped and says so (a skip, never a pass).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, writeConfig } from '../helpers/cli.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const p = runCli(args);
  const { code } = await p.exited;
  return { code, out: p.lines.map((l) => String(l.msg)).join('\n') + p.stderr };
}

/** systemd-analyze verify's complaints about one unit file (it exits 0 on most of them, so its output is the test). */
function verify(unit: string): string {
  const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 30_000 });
  return `${r.stdout}${r.stderr}`
    .split('\n')
    .filter((l) => l.includes(path.basename(unit)))
    .join('\n');
}

describe('service install on Linux (install root)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-service-'));
  const root = path.join(dir, 'root');
  const config = writeConfig(dir, {
    auth_token: 'service-test-token-0123456789',
    nas_mount_path: path.join(dir, 'media'),
    work_dir: path.join(dir, 'work dir'),
  });
  const unit = path.join(root, 'etc', 'systemd', 'system', 'transcode-worker.service');

  it('install writes the unit under the root and runs no systemctl', async () => {
    const r = await cli(['service', 'install', '--config', config, '--root', root]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /wrote .*transcode-worker\.service/);
    assert.match(r.out, /not run \(install root\): systemctl enable --now transcode-worker\.service/);
    const text = readFileSync(unit, 'utf8');
    assert.match(
      text,
      new RegExp(`^ExecStart=${process.execPath} \\S+/dist/cli\\.js start --config ${config}$`, 'm'),
    );
    assert.match(text, /^ReadWritePaths=".*\/work dir"$/m);
    assert.match(text, /^MemoryMax=\d+M$/m);
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
    assert.equal(verify(unit), '');
    // The same check on a broken copy complains: the verification can fail.
    const broken = path.join(dir, 'broken-transcode-worker.service');
    writeFileSync(broken, readFileSync(unit, 'utf8').replace(/^Restart=.*$/m, 'Restart=sometimes'));
    assert.match(verify(broken), /restart/i);
  });

  it('status reports it installed; uninstall removes it; status then says not installed', async () => {
    assert.match((await cli(['service', 'status', '--config', config, '--root', root])).out, /: installed/);
    const u = await cli(['service', 'uninstall', '--config', config, '--root', root]);
    assert.equal(u.code, 0, u.out);
    assert.equal(existsSync(unit), false);
    assert.match(
      (await cli(['service', 'status', '--config', config, '--root', root])).out,
      /: not installed/,
    );
  });

  it('--dry-run prints the unit and the commands without writing; a bad action is a usage error', async () => {
    const other = path.join(dir, 'other-root');
    const r = await cli(['service', 'install', '--config', config, '--root', other, '--dry-run']);
    assert.equal(r.code, 0);
    assert.match(r.out, /would run: systemctl daemon-reload/);
    assert.match(r.out, /\[Service\]/);
    assert.equal(existsSync(other), false);
    assert.equal((await cli(['service', 'restart', '--config', config])).code, 2);
  });
});
