// Things the worker keeps in work_dir across restarts: its id, and the generated token of the embedded default.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function readOrCreate(file: string, create: () => string, mode: number): string {
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value !== '') return value;
  } catch {
    // First start: created below.
  }
  const value = create();
  writeFileSync(file, `${value}\n`, { mode });
  return value;
}

/** A worker id that stays the same across restarts (the orchestrator keys its records by it). */
export function workerId(workDir: string): string {
  return readOrCreate(path.join(workDir, 'worker-id'), () => randomUUID(), 0o644);
}

/** The embedded default's bearer token: generated once, kept readable by the owner only. */
export function generatedAuthToken(workDir: string): { token: string; file: string } {
  const file = path.join(workDir, 'auth-token');
  return { token: readOrCreate(file, () => randomBytes(24).toString('base64url'), 0o600), file };
}
