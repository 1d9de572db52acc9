// Turns JSON-schema validation errors (typebox's and fastify's ajv share the shape) into "key: problem" lines.

export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string | undefined;
}

function dotted(instancePath: string, prefix: string): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  const joined = parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  const path = `${prefix}${joined}`.replace(/^\./, '');
  return path === '' ? '(root)' : path;
}

function problem(e: SchemaError): string {
  const p = e.params;
  switch (e.keyword) {
    case 'type':
      return `expected ${String(p.type)}`;
    case 'minimum':
      return `expected a number >= ${String(p.limit)}`;
    case 'maximum':
      return `expected a number <= ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `expected a number > ${String(p.limit)}`;
    case 'minLength':
      return `expected at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `expected at most ${String(p.limit)} characters`;
    case 'pattern':
      return `expected a string matching ${String(p.pattern)}`;
    case 'const':
      return `expected ${JSON.stringify(p.allowedValue)}`;
    case 'enum':
      return `expected one of ${JSON.stringify(p.allowedValues)}`;
    case 'format':
      return `expected a valid ${String(p.format)}`;
    case 'minItems':
      return `expected at least ${String(p.limit)} items`;
    case 'maxItems':
      return `expected at most ${String(p.limit)} items`;
    default:
      return e.message ?? e.keyword;
  }
}

/** One line per offending key, e.g. "limits.max_jobs: expected a number >= 1". `prefix` names the document. */
export function describeSchemaErrors(errors: readonly SchemaError[], prefix = ''): string[] {
  const byPath = new Map<string, string[]>();
  const add = (path: string, text: string): void => {
    const list = byPath.get(path) ?? [];
    if (!list.includes(text)) list.push(text);
    byPath.set(path, list);
  };
  for (const e of errors) {
    if (e.keyword === 'boolean' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
    if (e.keyword === 'additionalProperties') {
      const extra = e.params.additionalProperties ?? e.params.additionalProperty;
      const keys = Array.isArray(extra) ? extra : [extra];
      for (const k of keys) add(dotted(`${e.instancePath}/${String(k)}`, prefix), 'unknown key');
      continue;
    }
    if (e.keyword === 'required') {
      const missing = e.params.requiredProperties ?? e.params.missingProperty;
      const keys = Array.isArray(missing) ? missing : [missing];
      for (const k of keys) add(dotted(`${e.instancePath}/${String(k)}`, prefix), 'required');
      continue;
    }
    add(dotted(e.instancePath, prefix), problem(e));
  }
  return [...byPath].map(([path, texts]) => `${path}: ${texts.join(' or ')}`);
}
