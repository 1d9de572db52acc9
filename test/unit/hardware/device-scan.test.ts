// The device scan against fake /sys and /dev trees (regular files stand in for device nodes; this machine has
// none). nvidia-smi is a fake runner answering with the documented CSV format.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { scanAccelerators } from '../../../src/hardware/device-scan.js';
import { parseEncoders, type ListedEncoder } from '../../../src/hardware/parse-ffmpeg.js';
import { fakeRun, result } from './fake-run.js';
import { fakeTree } from './fake-tree.js';
import { fixture } from './fixture.js';

const debianListed = parseEncoders(fixture('ffmpeg-5.1-encoders.txt'));
const nvidiaSmi = fakeRun((file) =>
  file === 'nvidia-smi' ? result({ stdout: fixture('nvidia-smi-query-gpu.csv') }) : result({ exitCode: 1 }),
);

function machine(): ReturnType<typeof fakeTree> {
  const t = fakeTree();
  // Intel iGPU on renderD128, AMD dGPU on renderD129; card0 is not a render node.
  t.file('dev/dri/card0');
  t.file('dev/dri/renderD128');
  t.file('dev/dri/renderD129');
  t.file('sys/class/drm/renderD128/device/vendor', '0x8086\n');
  t.file('sys/bus/pci/drivers/i915/.keep');
  t.link('sys/class/drm/renderD128/device/driver', path.join(t.sysRoot, 'bus/pci/drivers/i915'));
  t.file('sys/class/drm/renderD129/device/vendor', '0x1002\n');
  // NVIDIA's proprietary driver.
  t.file('dev/nvidia0');
  t.file('dev/nvidiactl');
  // Raspberry Pi codec nodes: only video11 encodes video.
  for (const [node, name] of [
    ['video10', 'bcm2835-codec-decode'],
    ['video11', 'bcm2835-codec-encode'],
    ['video12', 'bcm2835-codec-isp'],
    ['video18', 'bcm2835-codec-encode_image'],
  ] as const) {
    t.file(`sys/class/video4linux/${node}/name`, `${name}\n`);
    t.file(`dev/${node}`);
  }
  // A sysfs entry whose /dev node is missing is not a candidate.
  t.file('sys/class/video4linux/video31/name', 'coda-encoder\n');
  return t;
}

const tree = machine();
after(() => {
  tree.remove();
});

const at = (...p: string[]): string => path.join(tree.root, ...p);

test('linux: VAAPI per render node, QSV on Intel, NVENC with nvidia-smi facts, the V4L2 encoder node', async () => {
  const found = await scanAccelerators({
    roots: { sysRoot: tree.sysRoot, devRoot: tree.devRoot },
    platform: 'linux',
    listed: debianListed,
    runCommand: nvidiaSmi.run,
  });
  const hw = (names: string[], accelerator: string, device: string): unknown[] =>
    names.map((name) => ({ name, codec: name.split('_')[0], accelerator, device }));
  const d128 = at('dev/dri/renderD128');
  const d129 = at('dev/dri/renderD129');
  assert.deepEqual(found, [
    {
      type: 'vaapi',
      device: d128,
      vendor: 'intel',
      driver: 'i915',
      encoders: hw(['h264_vaapi', 'hevc_vaapi'], 'vaapi', d128),
    },
    {
      type: 'qsv',
      device: d128,
      vendor: 'intel',
      driver: 'i915',
      encoders: hw(['h264_qsv', 'hevc_qsv'], 'qsv', d128),
    },
    { type: 'vaapi', device: d129, vendor: 'amd', encoders: hw(['h264_vaapi', 'hevc_vaapi'], 'vaapi', d129) },
    {
      type: 'nvenc',
      device: at('dev/nvidia0'),
      vendor: 'nvidia',
      driver: '535.129.03',
      name: 'NVIDIA GeForce RTX 3060',
      memoryBytes: 12288 * 1024 * 1024,
      encoders: hw(['h264_nvenc', 'hevc_nvenc'], 'nvenc', at('dev/nvidia0')),
    },
    {
      type: 'v4l2m2m',
      device: at('dev/video11'),
      name: 'bcm2835-codec-encode',
      encoders: hw(['h264_v4l2m2m', 'hevc_v4l2m2m'], 'v4l2m2m', at('dev/video11')),
    },
  ]);
  const smi = nvidiaSmi.calls.find((c) => c.file === 'nvidia-smi');
  assert.deepEqual(smi?.args, [
    '--query-gpu=name,driver_version,memory.total',
    '--format=csv,noheader,nounits',
  ]);
  assert.equal(smi.options.timeoutMs, 2000);
});

test('only listed encoders are candidates; av1 when FFmpeg lists it; no listed family, no accelerator', async () => {
  const listed: ListedEncoder[] = [
    { name: 'h264_vaapi', codec: 'h264' },
    { name: 'av1_vaapi', codec: 'av1' },
  ];
  const found = await scanAccelerators({
    roots: { sysRoot: tree.sysRoot, devRoot: tree.devRoot },
    platform: 'linux',
    listed,
    runCommand: nvidiaSmi.run,
  });
  assert.deepEqual(
    found.map((a) => [a.type, path.basename(a.device), a.encoders.map((e) => e.name)]),
    [
      ['vaapi', 'renderD128', ['h264_vaapi', 'av1_vaapi']],
      ['vaapi', 'renderD129', ['h264_vaapi', 'av1_vaapi']],
    ],
  );
});

test('nvidia-smi failing: NVENC candidates stay, without name or driver', async () => {
  const t = fakeTree();
  t.file('dev/nvidiactl');
  const failing = fakeRun(() =>
    result({ exitCode: 9, stdout: "NVIDIA-SMI has failed because it couldn't communicate" }),
  );
  const found = await scanAccelerators({
    roots: { sysRoot: t.sysRoot, devRoot: t.devRoot },
    platform: 'linux',
    listed: debianListed,
    runCommand: failing.run,
  });
  t.remove();
  assert.deepEqual(
    found.map((a) => ({ type: a.type, device: path.basename(a.device), name: a.name, n: a.encoders.length })),
    [{ type: 'nvenc', device: 'nvidiactl', name: undefined, n: 2 }],
  );
});

test('an empty machine (this one): no accelerators, nvidia-smi never run', async () => {
  const t = fakeTree();
  const run = fakeRun(() => result());
  const found = await scanAccelerators({
    roots: { sysRoot: t.sysRoot, devRoot: t.devRoot },
    platform: 'linux',
    listed: debianListed,
    runCommand: run.run,
  });
  t.remove();
  assert.deepEqual(found, []);
  assert.equal(run.calls.length, 0);
});

test('darwin: VideoToolbox by encoder name, no device scan', async () => {
  const listed = parseEncoders(
    ' ------\n V....D h264_videotoolbox    VideoToolbox H.264 Encoder (codec h264)\n V....D hevc_videotoolbox    VideoToolbox H.265 Encoder (codec hevc)\n V....D libx264              libx264 H.264 (codec h264)\n',
  );
  const found = await scanAccelerators({
    platform: 'darwin',
    listed,
    runCommand: fakeRun(() => result()).run,
  });
  assert.deepEqual(found, [
    {
      type: 'videotoolbox',
      device: 'videotoolbox',
      vendor: 'apple',
      encoders: [
        { name: 'h264_videotoolbox', codec: 'h264', accelerator: 'videotoolbox', device: null },
        { name: 'hevc_videotoolbox', codec: 'hevc', accelerator: 'videotoolbox', device: null },
      ],
    },
  ]);
});

test('win32: NVENC, QSV, AMF and MF by encoder name', async () => {
  const names = [
    'h264_nvenc',
    'hevc_nvenc',
    'av1_nvenc',
    'h264_qsv',
    'h264_amf',
    'hevc_amf',
    'h264_mf',
    'hevc_mf',
  ];
  const listed = names.map((name) => ({ name, codec: name.split('_')[0] as 'h264' | 'hevc' | 'av1' }));
  const found = await scanAccelerators({ platform: 'win32', listed, runCommand: nvidiaSmi.run });
  assert.deepEqual(
    found.map((a) => [
      a.type,
      a.device,
      a.name ?? null,
      a.encoders.map((e) => `${e.name}:${String(e.device)}`),
    ]),
    [
      ['nvenc', 'nvenc', 'NVIDIA GeForce RTX 3060', ['h264_nvenc:null', 'hevc_nvenc:null', 'av1_nvenc:null']],
      ['qsv', 'qsv', null, ['h264_qsv:null']],
      ['amf', 'amf', null, ['h264_amf:null', 'hevc_amf:null']],
      ['mf', 'mf', null, ['h264_mf:null', 'hevc_mf:null']],
    ],
  );
});
