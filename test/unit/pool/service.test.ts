// `service install --pool` as pure plans: on each platform the pool gets its own unit, plist or task (beside the
// worker's, never replacing it), running `pool --config`, with the sandbox of a process that opens no device.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { servicePlan, type ServiceContext, type ServicePlan } from '../../../src/platform/service/plan.js';

const base: ServiceContext = {
  platform: 'linux',
  nodePath: '/usr/bin/node',
  cliPath: '/opt/transcode-worker/dist/cli.js',
  configPath: '/etc/transcode-worker/pool.yml',
  workDir: '/etc/transcode-worker',
  totalMemoryBytes: 4 * 1024 ** 3,
  uid: 0,
  homeDir: '/root',
  systemdTemplate: '',
  role: 'pool',
};

const plan = (ctx: ServiceContext): ServicePlan => {
  const p = servicePlan(ctx);
  assert.ok(p !== null);
  return p;
};
const runs = (steps: ServicePlan['install']): string[] =>
  steps.map((s) => [s.run.file, ...s.run.args].join(' '));

describe('service plan for the pool', () => {
  it('systemd: transcode-pool.service runs `pool --config` in a sandbox without devices', () => {
    const p = plan(base);
    assert.deepEqual(
      p.files.map((f) => f.path),
      ['/etc/systemd/system/transcode-pool.service'],
    );
    const unit = p.files[0]?.content ?? '';
    assert.match(
      unit,
      /^ExecStart=\/usr\/bin\/node \/opt\/transcode-worker\/dist\/cli.js pool --config \/etc\/transcode-worker\/pool.yml$/m,
    );
    assert.match(unit, /^PrivateDevices=yes$/m);
    assert.doesNotMatch(unit, /DeviceAllow|SupplementaryGroups/, 'the pool opens no GPU');
    assert.match(unit, /^EnvironmentFile=-\/etc\/transcode-worker\/pool.env$/m);
    assert.match(unit, /^Restart=on-failure$/m);
    assert.deepEqual(runs(p.install).slice(1), [
      'systemctl daemon-reload',
      'systemctl enable --now transcode-pool.service',
    ]);
    assert.deepEqual(runs(p.uninstall), ['systemctl disable --now transcode-pool.service']);
    assert.ok(p.notes.some((n) => n.includes('journalctl -u transcode-pool')));
  });

  it('the worker role keeps its own unit: the two install side by side', () => {
    const worker = plan({
      ...base,
      role: 'worker',
      systemdTemplate: 'ExecStart=x\nRestart=no\nMemoryMax=1G\n',
    });
    assert.deepEqual(
      worker.files.map((f) => f.path),
      ['/etc/systemd/system/transcode-worker.service'],
    );
    assert.match(worker.files[0]?.content ?? '', / start --config /);
  });

  it('launchd: its own label and log, `pool` in ProgramArguments', () => {
    const p = plan({ ...base, platform: 'darwin', uid: 501, homeDir: '/Users/ann' });
    assert.deepEqual(
      p.files.map((f) => f.path),
      ['/Users/ann/Library/LaunchAgents/local.transcode-pool.plist'],
    );
    const plist = p.files[0]?.content ?? '';
    assert.match(plist, /<key>Label<\/key><string>local.transcode-pool<\/string>/);
    assert.match(plist, /<string>\/opt\/transcode-worker\/dist\/cli.js<\/string>\n\s+<string>pool<\/string>/);
    assert.match(plist, /transcode-pool\.log/);
    assert.deepEqual(runs(p.uninstall), ['launchctl bootout gui/501/local.transcode-pool']);
  });

  it('Task Scheduler: task transcode-pool running `pool --config`', () => {
    const p = plan({
      ...base,
      platform: 'win32',
      uid: -1,
      cliPath: 'C:\\tw\\dist\\cli.js',
      configPath: 'C:\\ProgramData\\transcode-worker\\pool.yml',
    });
    assert.deepEqual(
      p.files.map((f) => f.path),
      ['C:\\ProgramData\\transcode-worker\\transcode-pool-task.xml'],
    );
    assert.match(
      p.files[0]?.content ?? '',
      /<Arguments>C:\\tw\\dist\\cli.js pool --config C:\\ProgramData\\transcode-worker\\pool.yml<\/Arguments>/,
    );
    assert.deepEqual(runs(p.install), [
      'schtasks /Create /TN transcode-pool /XML C:\\ProgramData\\transcode-worker\\transcode-pool-task.xml /F',
      'schtasks /Run /TN transcode-pool',
    ]);
  });
});
