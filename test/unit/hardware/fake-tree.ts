// Builds a fake /sys, /dev and /proc in a temporary folder: regular files stand in for device nodes.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FakeTree {
  readonly root: string;
  readonly sysRoot: string;
  readonly devRoot: string;
  readonly procRoot: string;
  /** Writes a file under root (parents created). */
  file(relative: string, content?: string): void;
  /** Creates a symlink under root pointing at target (relative or absolute). */
  link(relative: string, target: string): void;
  remove(): void;
}

/** A fresh temporary tree with sys/, dev/ and proc/. */
export function fakeTree(): FakeTree {
  const root = mkdtempSync(path.join(tmpdir(), 'tw-hw-'));
  const tree: FakeTree = {
    root,
    sysRoot: path.join(root, 'sys'),
    devRoot: path.join(root, 'dev'),
    procRoot: path.join(root, 'proc'),
    file(relative, content = '') {
      const p = path.join(root, relative);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, content);
    },
    link(relative, target) {
      const p = path.join(root, relative);
      mkdirSync(path.dirname(p), { recursive: true });
      symlinkSync(target, p);
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const dir of ['sys', 'dev', 'proc']) mkdirSync(path.join(root, dir));
  return tree;
}
