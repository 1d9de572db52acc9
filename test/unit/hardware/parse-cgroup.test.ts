// proc-self-cgroup-v1.txt and cgroup-v1-memory.limit_in_bytes-unlimited.txt are this machine's real files (a
// hybrid cgroup v1 host). proc-self-cgroup-v2.txt is the documented v2 format ("0::/path"): no v2 host here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseByteCount,
  parseMemoryMax,
  parseSelfCgroup,
  parseV1MemoryLimit,
} from '../../../src/hardware/parse-cgroup.js';
import { fixture } from './fixture.js';

test('this machine (v1 + empty unified): the memory controller path and the unified "/"', () => {
  const self = parseSelfCgroup(fixture('proc-self-cgroup-v1.txt'));
  assert.match(self.v1MemoryPath ?? '', /^\/process_api\/[0-9a-f]+$/);
  assert.equal(self.v2Path, '/');
});

test('cgroup v2 only: the unified path, no v1 memory path', () => {
  assert.deepEqual(parseSelfCgroup(fixture('proc-self-cgroup-v2.txt')), {
    v2Path: '/system.slice/transcode-worker.service',
    v1MemoryPath: null,
  });
});

test('v1 memory among other controllers on one line', () => {
  assert.equal(parseSelfCgroup('7:cpu,memory:/docker/abc\n').v1MemoryPath, '/docker/abc');
});

test('v2 memory.max: "max" is no limit, a number is bytes', () => {
  assert.equal(parseMemoryMax('max\n'), null);
  assert.equal(parseMemoryMax('536870912\n'), 536870912);
  assert.equal(parseMemoryMax('garbage'), null);
});

test('v1 limit_in_bytes: the kernel\'s huge "unlimited" value is no limit', () => {
  assert.equal(parseV1MemoryLimit(fixture('cgroup-v1-memory.limit_in_bytes-unlimited.txt')), null);
  assert.equal(parseV1MemoryLimit('9223372036854775807\n'), null);
  assert.equal(parseV1MemoryLimit('1073741824\n'), 1073741824);
});

test('byte counters', () => {
  assert.equal(parseByteCount('329875456\n'), 329875456);
  assert.equal(parseByteCount(''), null);
});
