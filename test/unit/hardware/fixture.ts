// Reads a captured or documented-format file from test/fixtures/hardware.
import { readFileSync } from 'node:fs';

/** The text of test/fixtures/hardware/<name>. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/hardware/${name}`, import.meta.url), 'utf8');
}
