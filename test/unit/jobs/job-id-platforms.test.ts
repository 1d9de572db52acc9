// Job ids are stream folder names: on macOS and Windows, whose file systems fold case, Film-1 and film-1 are one
// folder, so a new job must not take the folder of a job that still holds one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caseInsensitiveNames, folderSharedWith } from '../../../src/jobs/job-ids.js';

const HOLDERS = ['Film-1', 'series_S01E02', 'abc'];

describe('folderSharedWith', () => {
  for (const platform of ['darwin', 'win32'] as const) {
    it(`${platform}: an id differing only in case from a job holding its folder is refused`, () => {
      assert.equal(caseInsensitiveNames(platform), true);
      assert.equal(folderSharedWith('film-1', HOLDERS, platform), 'Film-1');
      assert.equal(folderSharedWith('FILM-1', HOLDERS, platform), 'Film-1');
      assert.equal(folderSharedWith('Series_s01e02', HOLDERS, platform), 'series_S01E02');
      assert.equal(folderSharedWith('ABC', HOLDERS, platform), 'abc');
      // Different names, or the same id (JOB_EXISTS, checked before): no conflict of folders.
      assert.equal(folderSharedWith('film-2', HOLDERS, platform), null);
      assert.equal(folderSharedWith('film_1', HOLDERS, platform), null);
      assert.equal(folderSharedWith('Film-1', HOLDERS, platform), null);
      assert.equal(folderSharedWith('film-1', [], platform), null);
    });
  }

  for (const platform of ['linux', 'freebsd'] as const) {
    it(`${platform}: case-sensitive names, Film-1 and film-1 are two folders`, () => {
      assert.equal(caseInsensitiveNames(platform), false);
      assert.equal(folderSharedWith('film-1', HOLDERS, platform), null);
      assert.equal(folderSharedWith('ABC', HOLDERS, platform), null);
    });
  }
});
