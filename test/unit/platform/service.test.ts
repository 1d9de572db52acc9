// Service definitions generated for each platform (pure), and the plan applied with a fake runner: what is written,
// which argument arrays run, in which order, and what --dry-run and an install root leave out.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { applyService, shown } from '../../../src/platform/service/apply.js';
import { renderLaunchdPlist } from '../../../src/platform/service/launchd.js';
import { servicePlan, type ServiceContext, type ServicePlan } from '../../../src/platform/service/plan.js';
import { renderSystemdUnit, suggestedMemoryMax, systemdArg } from '../../../src/platform/service/systemd.js';
import { renderTaskXml, windowsArg } from '../../../src/platform/service/windows-task.js';
import type { CommandResult, RunCommand } from '../../../src/process/run-command.js';

const TEMPLATE = readFileSync(
  path.resolve(import.meta.dirname, '..', '..', '..', 'packaging', 'transcode-worker.service'),
  'utf8',
);
const GiB = 1024 ** 3;

const linux: ServiceContext = {
  platform: 'linux',
  nodePath: '/usr/bin/node',
  cliPath: '/opt/transcode-worker/dist/cli.js',
  configPath: '/etc/transcode-worker/config.yml',
  workDir: '/var/lib/transcode-worker',
  totalMemoryBytes: GiB,
  uid: 0,
  homeDir: '/root',
  systemdTemplate: TEMPLATE,
};
const mac: ServiceContext = {
  ...linux,
  platform: 'darwin',
  nodePath: '/opt/homebrew/bin/node',
  cliPath: '/Users/ann/transcode-worker/dist/cli.js',
  configPath: '/Users/ann/Tom & Jerry/config.yml',
  workDir: '/Users/ann/tw-work',
  uid: 501,
  homeDir: '/Users/ann',
};
const win: ServiceContext = {
  ...linux,
  platform: 'win32',
  nodePath: 'C:\\Program Files\\nodejs\\node.exe',
  cliPath: 'C:\\transcode-worker\\dist\\cli.js',
  configPath: 'C:\\ProgramData\\transcode-worker\\config.yml',
  workDir: 'D:\\tw work',
  uid: -1,
  homeDir: 'C:\\Users\\ann',
};

const plan = (ctx: ServiceContext): ServicePlan => {
  const p = servicePlan(ctx);
  assert.ok(p !== null);
  return p;
};

describe('systemd unit', () => {
  it('ExecStart, Restart, Nice and MemoryMax for this machine, from the packaged unit', () => {
    const unit = renderSystemdUnit(TEMPLATE, linux);
    assert.match(
      unit,
      /^ExecStart=\/usr\/bin\/node \/opt\/transcode-worker\/dist\/cli.js start --config \/etc\/transcode-worker\/config.yml$/m,
    );
    assert.match(unit, /^Restart=on-failure$/m);
    assert.match(unit, /^Nice=0$/m);
    assert.match(unit, /^MemoryMax=768M$/m);
    assert.equal(unit.match(/^MemoryMax=/gm)?.length, 1);
    assert.match(unit, /^KillMode=control-group$/m, 'the packaged settings stay');
    assert.match(unit, /^# Written by `transcode-worker service install`/);
    assert.doesNotMatch(unit, /^ReadWritePaths=/m, 'work_dir is the StateDirectory');
  });

  it('quotes paths with spaces, doubles %, and lists a work_dir outside the StateDirectory', () => {
    const unit = renderSystemdUnit(TEMPLATE, {
      ...linux,
      configPath: '/etc/tw/my config%.yml',
      workDir: '/srv/tw work',
    });
    assert.match(unit, /--config "\/etc\/tw\/my config%%.yml"$/m);
    assert.match(unit, /^ReadWritePaths="\/srv\/tw work"$/m);
    assert.equal(systemdArg('a"b c'), '"a\\"b c"');
  });

  it('suggests three quarters of memory, at least 256M', () => {
    assert.equal(suggestedMemoryMax(GiB), '768M');
    assert.equal(suggestedMemoryMax(24 * GiB), '18432M');
    assert.equal(suggestedMemoryMax(256 * 1024 ** 2), '256M');
  });

  it('refuses a template that lost a line it replaces', () => {
    assert.throws(() => renderSystemdUnit(TEMPLATE.replace(/^ExecStart=.*$/m, ''), linux), /ExecStart/);
  });
});

describe('launchd plist', () => {
  it('a LaunchAgent for a user: program arguments escaped, restart on failure, logs in ~/Library/Logs', () => {
    const p = plan(mac);
    const file = p.files[0];
    assert.equal(file?.path, '/Users/ann/Library/LaunchAgents/local.transcode-worker.plist');
    assert.match(file.content, /<string>\/Users\/ann\/Tom &amp; Jerry\/config.yml<\/string>/);
    assert.match(file.content, /<key>KeepAlive<\/key><dict><key>SuccessfulExit<\/key><false\/><\/dict>/);
    assert.match(
      file.content,
      /<key>StandardErrorPath<\/key><string>\/Users\/ann\/Library\/Logs\/transcode-worker.log/,
    );
    assert.deepEqual(
      p.install.map((s) => shown(s.run)),
      [
        'launchctl bootout gui/501/local.transcode-worker',
        'launchctl bootstrap gui/501 /Users/ann/Library/LaunchAgents/local.transcode-worker.plist',
      ],
    );
  });

  it('a LaunchDaemon for root, bootstrapped into the system domain', () => {
    const p = plan({ ...mac, uid: 0 });
    assert.equal(p.files[0]?.path, '/Library/LaunchDaemons/local.transcode-worker.plist');
    assert.deepEqual(p.install[1]?.run.args, [
      'bootstrap',
      'system',
      '/Library/LaunchDaemons/local.transcode-worker.plist',
    ]);
  });

  it('is well-formed: every element closed, in order', () => {
    const xml = renderLaunchdPlist({ ...mac, workingDirectory: '/w', logPath: '/l' });
    const stack: string[] = [];
    for (const m of xml.matchAll(/<(\/?)(\w+)[^>]*?(\/?)>/g)) {
      if (m[3] === '/') continue;
      if (m[1] === '/') assert.equal(stack.pop(), m[2]);
      else stack.push(m[2] ?? '');
    }
    assert.deepEqual(stack, []);
  });
});

describe('Windows task', () => {
  it('quotes arguments as the C runtime splits them', () => {
    assert.equal(windowsArg('start'), 'start');
    assert.equal(windowsArg('C:\\Program Files\\x.yml'), '"C:\\Program Files\\x.yml"');
    assert.equal(windowsArg('a"b'), '"a\\"b"');
    assert.equal(windowsArg('C:\\dir with space\\'), '"C:\\dir with space\\\\"');
    assert.equal(windowsArg('C:\\a\\"b c'), '"C:\\a\\\\\\"b c"');
    assert.equal(windowsArg(''), '""');
  });

  it('a boot task as SYSTEM with no time limit, restarted on failure, in UTF-16 with a BOM', () => {
    const p = plan(win);
    const file = p.files[0];
    assert.equal(file?.path, 'C:\\ProgramData\\transcode-worker\\transcode-worker-task.xml');
    assert.equal(file.encoding, 'utf16le');
    assert.ok(file.content.startsWith('\ufeff<?xml version="1.0" encoding="UTF-16"?>'));
    for (const part of [
      '<BootTrigger><Enabled>true</Enabled></BootTrigger>',
      '<UserId>S-1-5-18</UserId>',
      '<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
      '<RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>',
      '<Command>C:\\Program Files\\nodejs\\node.exe</Command>',
      '<Arguments>C:\\transcode-worker\\dist\\cli.js start --config C:\\ProgramData\\transcode-worker\\config.yml</Arguments>',
      '<WorkingDirectory>D:\\tw work</WorkingDirectory>',
    ])
      assert.ok(file.content.includes(part), part);
    assert.match(
      renderTaskXml({ ...win, configPath: 'C:\\a & b\\c.yml', workingDirectory: 'x' }),
      /&quot;C:\\a &amp; b\\c.yml&quot;/,
    );
    assert.deepEqual(
      [...p.install, ...p.uninstall].map((s) => [s.run.file, ...s.run.args].join(' ')),
      [
        'schtasks /Create /TN transcode-worker /XML C:\\ProgramData\\transcode-worker\\transcode-worker-task.xml /F',
        'schtasks /Run /TN transcode-worker',
        'schtasks /End /TN transcode-worker',
        'schtasks /Delete /TN transcode-worker /F',
      ],
    );
    assert.ok(p.notes.some((n) => n.includes('sc.exe')));
  });

  it('no plan where no service manager is supported', () => {
    assert.equal(servicePlan({ ...linux, platform: 'aix' }), null);
  });
});

/** Applies a plan with a fake runner that answers `fail` commands with exit 1; records everything. */
async function apply(
  action: 'install' | 'uninstall' | 'status',
  p: ServicePlan,
  options = { dryRun: false, filesOnly: false },
  fail: (line: string) => boolean = () => false,
) {
  const events: string[] = [];
  const files = new Set<string>(action === 'install' ? [] : p.files.map((f) => f.path));
  const run: RunCommand = (file, args) => {
    const line = shown({ file, args });
    events.push(`run ${line}`);
    const exitCode = fail(line) ? 1 : 0;
    return Promise.resolve<CommandResult>({
      exitCode,
      signal: null,
      stdout: '',
      stderr: '',
      timedOut: false,
    });
  };
  const ok = await applyService(
    action,
    p,
    {
      runCommand: run,
      writeFile: (f) => {
        files.add(f);
        events.push(`write ${f}`);
      },
      removeFile: (f) => {
        files.delete(f);
        events.push(`remove ${f}`);
      },
      exists: (f) => files.has(f),
      print: () => undefined,
    },
    options,
  );
  return { ok, events };
}

describe('applying a plan', () => {
  const unit = '/etc/systemd/system/transcode-worker.service';

  it('linux install: writes the unit, creates the user only when missing, reloads and enables', async () => {
    const missingUser = await apply('install', plan(linux), undefined, (l) => l.startsWith('id '));
    assert.equal(missingUser.ok, true);
    assert.deepEqual(missingUser.events, [
      `write ${unit}`,
      'run id -u transcode-worker',
      'run useradd --system --user-group --home-dir /var/lib/transcode-worker --shell /usr/sbin/nologin transcode-worker',
      'run systemctl daemon-reload',
      'run systemctl enable --now transcode-worker.service',
    ]);
    const present = await apply('install', plan(linux));
    assert.ok(!present.events.some((e) => e.includes('useradd')));
  });

  it('uninstall: disable, remove the file, then reload; a failing disable (not installed) is not fatal', async () => {
    const r = await apply('uninstall', plan(linux), undefined, (l) => l.includes('disable'));
    assert.equal(r.ok, true);
    assert.deepEqual(r.events, [
      'run systemctl disable --now transcode-worker.service',
      `remove ${unit}`,
      'run systemctl daemon-reload',
    ]);
  });

  it('a failing required step fails the install and stops there', async () => {
    const r = await apply('install', plan(linux), undefined, (l) => l.includes('daemon-reload'));
    assert.equal(r.ok, false);
    assert.ok(!r.events.some((e) => e.includes('enable')));
  });

  it('--dry-run writes and runs nothing; an install root writes and runs nothing else', async () => {
    assert.deepEqual((await apply('install', plan(linux), { dryRun: true, filesOnly: false })).events, []);
    assert.deepEqual((await apply('install', plan(linux), { dryRun: false, filesOnly: true })).events, [
      `write ${unit}`,
    ]);
  });
});
