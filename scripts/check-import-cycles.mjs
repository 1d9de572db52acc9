// Fails when files under src/ import each other in a circle. Type-only imports count: they tie two files together for
// a reader as much as value imports do. Reads `import … from './x.js'` and `export … from './x.js'` as text.
// Usage: node scripts/check-import-cycles.mjs [src]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? 'src');
const files = readdirSync(root, { recursive: true })
  .map((f) => path.join(root, String(f)))
  .filter((f) => /\.m?ts$/.test(f) && !f.endsWith('.d.ts'));
const known = new Set(files);
// A relative specifier after `import`/`export` at a line start, across the lines of a multi-line import.
const specifier = /(?:^|\n)\s*(?:import|export)\b[^;'"]*?['"](\.{1,2}\/[^'"]+)['"]/g;
const edges = new Map();
for (const file of files) {
  const out = new Set();
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(specifier)) {
    const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
    if (known.has(target)) out.add(target);
  }
  edges.set(file, [...out]);
}

// Tarjan: every strongly connected component of two or more files (or a file importing itself) is a circle.
const index = new Map();
const low = new Map();
const stack = [];
const circles = [];
function visit(v) {
  index.set(v, index.size);
  low.set(v, index.get(v));
  stack.push(v);
  for (const w of edges.get(v)) {
    if (!index.has(w)) visit(w);
    if (stack.includes(w)) low.set(v, Math.min(low.get(v), low.get(w)));
  }
  if (low.get(v) !== index.get(v)) return;
  const scc = stack.splice(stack.indexOf(v));
  if (scc.length > 1 || edges.get(v).includes(v)) circles.push(scc.sort());
}
for (const f of files) if (!index.has(f)) visit(f);

const rel = (f) => path.relative(process.cwd(), f);
for (const scc of circles) {
  console.log(`import circle of ${scc.length} files:`);
  for (const f of scc)
    for (const t of edges.get(f)) if (scc.includes(t)) console.log(`  ${rel(f)} -> ${rel(t)}`);
}
if (circles.length > 0) process.exitCode = 1;
else console.log(`no import circles among ${files.length} files under ${rel(root) || '.'}`);
