// Which audio track a job plays, and whether it is copied.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalLanguage,
  chooseAudioCodec,
  chooseAudioTrack,
  type AudioTrack,
} from '../../../src/media/audio-choice.js';

const eng: AudioTrack = { index: 1, codec: 'aac', channels: 2, language: 'eng', isDefault: false };
const fre: AudioTrack = { index: 2, codec: 'ac3', channels: 6, language: 'fre', isDefault: true };
const und: AudioTrack = { index: 3, codec: 'dts', channels: 6, language: null, isDefault: false };

describe('chooseAudioTrack', () => {
  it('takes the n-th track, then the language, then the default, then the first', () => {
    assert.equal(chooseAudioTrack([eng, fre, und], { track: 2 }), und);
    assert.equal(chooseAudioTrack([eng, fre, und], { lang: 'fra' }), fre, 'fra finds a track tagged fre');
    assert.equal(chooseAudioTrack([eng, fre, und], { lang: 'en' }), eng, 'two-letter codes too');
    assert.equal(chooseAudioTrack([eng, fre, und], { lang: 'deu' }), fre, 'a missing language: the default');
    assert.equal(
      chooseAudioTrack([eng, fre, und], { track: 7, lang: 'eng' }),
      eng,
      'a missing index: the language',
    );
    assert.equal(chooseAudioTrack([eng, und], {}), eng, 'no default: the first');
    assert.equal(chooseAudioTrack([], { lang: 'eng' }), null);
  });

  it('treats bibliographic, terminological and two-letter codes of a language as one', () => {
    assert.equal(canonicalLanguage('FRE'), 'fra');
    assert.equal(canonicalLanguage('fr'), 'fra');
    assert.equal(canonicalLanguage('ger'), canonicalLanguage('de'));
    assert.equal(canonicalLanguage('eng'), 'eng');
  });
});

describe('chooseAudioCodec', () => {
  it('encodes for aac, copies what HLS carries for copy', () => {
    assert.equal(chooseAudioCodec('aac', eng, undefined).copy, false);
    assert.equal(chooseAudioCodec('copy', fre, undefined).copy, true);
    const dts = chooseAudioCodec('copy', und, undefined);
    assert.equal(dts.copy, false);
    assert.match(dts.reason, /dts does not go into HLS/);
  });

  it('auto: copies AAC stereo and 5.1 AC-3 when 6 channels are allowed, else downmixes to AAC', () => {
    assert.equal(chooseAudioCodec('auto', eng, undefined).copy, true);
    assert.equal(chooseAudioCodec('auto', fre, 6).copy, true);
    const stereo = chooseAudioCodec('auto', fre, undefined);
    assert.equal(stereo.copy, false);
    assert.match(stereo.reason, /6 channels, 2 allowed/);
  });
});
