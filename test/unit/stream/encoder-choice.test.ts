// video.hardware → the encoder a job uses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkerError } from '../../../src/errors.js';
import type { EncoderCheck } from '../../../src/hardware/types.js';
import { chooseEncoder } from '../../../src/stream/encoder-choice.js';

const vaapi: EncoderCheck = {
  name: 'h264_vaapi',
  codec: 'h264',
  accelerator: 'vaapi',
  device: '/dev/dri/renderD128',
  usable: true,
  speed: { '1080p': 9 },
};
const x264: EncoderCheck = { name: 'libx264', codec: 'h264', accelerator: null, device: null, usable: true };
const nvenc: EncoderCheck = {
  name: 'h264_nvenc',
  codec: 'h264',
  accelerator: 'nvenc',
  device: null,
  usable: false,
  reason: 'h264_nvenc: Cannot load libcuda.so.1',
};
const hevcVaapi: EncoderCheck = { ...vaapi, name: 'hevc_vaapi', codec: 'hevc' };
const known = [vaapi, x264, nvenc, hevcVaapi];

function refusal(fn: () => unknown): WorkerError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WorkerError) return err;
    throw err;
  }
  assert.fail('expected a refusal');
}

describe('chooseEncoder', () => {
  it('auto takes the first (fastest) usable encoder', () => {
    assert.deepEqual(chooseEncoder('h264', 'auto', [vaapi, x264], known), {
      name: 'h264_vaapi',
      accelerator: 'vaapi',
      device: '/dev/dri/renderD128',
    });
  });

  it('auto falls back to software when nothing is verified yet', () => {
    assert.equal(chooseEncoder('hevc', 'auto', [], known).name, 'libx265');
  });

  it('none forces software even with a GPU', () => {
    assert.deepEqual(chooseEncoder('h264', 'none', [vaapi, x264], known), {
      name: 'libx264',
      accelerator: null,
      device: null,
    });
  });

  it('a usable name is taken as it is, software included', () => {
    assert.equal(chooseEncoder('h264', 'libx264', [vaapi, x264], known).name, 'libx264');
  });

  it('an unusable encoder is refused with its reason and the usable ones', () => {
    const err = refusal(() => chooseEncoder('h264', 'h264_nvenc', [vaapi, x264], known));
    assert.equal(err.code, 'ENCODER_UNAVAILABLE');
    assert.equal(err.httpStatus, 400);
    assert.match(err.message, /Cannot load libcuda\.so\.1/);
    assert.match(err.message, /usable h264 encoders: h264_vaapi, libx264/);
  });

  it('an encoder for another codec is refused as such', () => {
    const err = refusal(() => chooseEncoder('h264', 'hevc_vaapi', [vaapi, x264], known));
    assert.match(err.message, /hevc_vaapi encodes hevc, not h264/);
  });

  it('an unknown name is refused', () => {
    const err = refusal(() => chooseEncoder('h264', 'h264_magic', [x264], known));
    assert.match(err.message, /no encoder h264_magic/);
  });
});
