/**
 * The layering rules, checked on every import in src/ (static, dynamic, `export … from`,
 * `import.meta.glob`):
 *   - src/labs and src/ui never import src/app (a lab gets everything through its LabContext);
 *   - src/lib imports none of src/app, src/labs, src/ui, src/curriculum, nor svelte (it runs in
 *     Node and workers);
 *   - no import cycle between src/lib folders;
 *   - the app's first load (main.ts, every lab's meta.ts and page module, all loaded eagerly) reaches
 *     no model, training, retrieval or test-double code by static imports: those load on demand.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const SRC = join(ROOT, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.(ts|js|svelte)$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** The source without comments (string-aware: glob strings such as lessons/STARSTAR/STAR.ts survive). */
function stripComments(source: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      out += c;
      if (c === '\\') out += source[++i] ?? '';
      else if (c === quote) quote = null;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 1;
    } else if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      i = end < 0 ? source.length : end - 1;
    } else {
      if (c === "'" || c === '"' || c === '`') quote = c;
      out += c;
    }
  }
  return out;
}

/** Every module specifier a file names (comments removed first, so examples in docs don't count). */
export function specifiers(source: string): string[] {
  const code = stripComments(source);
  const out: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g, /import\.meta\.glob(?:<[^>]*>)?\(\s*(?:\[\s*)?['"]([^'"]+)['"]/g];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]!);
  return out;
}

/** The src/ area (`app`, `labs`, `lib/rag`, …) a specifier resolves to, or the package name. */
function target(file: string, spec: string): { area: string; path: string } {
  if (!spec.startsWith('.')) return { area: `pkg:${spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]}`, path: spec };
  const abs = resolve(dirname(file), spec);
  const rel = relative(SRC, abs);
  return { area: rel.startsWith('..') ? `outside:${relative(ROOT, abs)}` : rel.split('/')[0]!, path: rel };
}

const files = walk(SRC).map((f) => ({ file: f, rel: relative(SRC, f), specs: specifiers(readFileSync(f, 'utf8')) }));

function violations(fromArea: string, forbidden: (t: { area: string; path: string }) => boolean): string[] {
  return files
    .filter((f) => f.rel.split('/')[0] === fromArea)
    .flatMap((f) => f.specs.map((s) => ({ f, s, t: target(f.file, s) })))
    .filter(({ t }) => forbidden(t))
    .map(({ f, s }) => `src/${f.rel} imports ${s}`);
}

describe('import layering', () => {
  it('finds imports of every kind (the scanner itself)', () => {
    const src = `import a from '../app/x';\nimport type { B } from "../app/y";\nexport { c } from '../app/z';\nconst d = () => import('../app/w');\nimport.meta.glob<T>('../app/*.ts');\nimport '../app/side';\n// import '../app/comment';\n/** import('../app/doc') */`;
    expect(specifiers(src)).toEqual(expect.arrayContaining(['../app/x', '../app/y', '../app/z', '../app/w', '../app/*.ts', '../app/side']));
    expect(specifiers(src)).not.toContain('../app/comment');
    expect(specifiers(src)).not.toContain('../app/doc');
  });

  it('src/labs and src/ui do not import src/app', () => {
    const bad = [...violations('labs', (t) => t.area === 'app'), ...violations('ui', (t) => t.area === 'app')];
    expect(bad).toEqual([]);
  });

  it('src/lib imports none of src/app, labs, ui, curriculum, nor svelte', () => {
    // Outside src/, only the shipped models' measured figures (public/models/*/metrics.json) may be read.
    const outside = (a: string) => a.startsWith('outside:') && !/^outside:public\/models\/[^/]+\/metrics\.json$/.test(a);
    const bad = violations('lib', (t) => ['app', 'labs', 'ui', 'curriculum'].includes(t.area) || t.area === 'pkg:svelte' || outside(t.area));
    expect(bad).toEqual([]);
  });

  it('src/lib folders form no import cycle', () => {
    const graph = new Map<string, Set<string>>();
    for (const f of files.filter((x) => x.rel.startsWith('lib/'))) {
      const from = f.rel.split('/')[1]!;
      for (const s of f.specs) {
        const t = target(f.file, s);
        if (t.area !== 'lib') continue;
        const to = t.path.split('/')[1]!;
        if (to !== from && !to.includes('.')) (graph.get(from) ?? graph.set(from, new Set()).get(from)!).add(to);
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (path.includes(node)) {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
        return;
      }
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    };
    for (const start of graph.keys()) visit(start, []);
    expect(cycles).toEqual([]);
  });
});

/** The files reached from `roots` by static, non-type imports (dynamic imports and globs load later). */
function staticClosure(roots: string[]): Map<string, string> {
  const byPath = new Map(files.map((f) => [f.file, f]));
  const parent = new Map<string, string>(roots.map((r) => [r, '']));
  const queue = [...roots];
  const staticSpecs = (source: string) =>
    [...stripComments(source).matchAll(/\b(?:import|export)\s+(?!type\b)[^'"`;]*?from\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]/g)].map((m) => (m[1] ?? m[2])!);
  while (queue.length) {
    const file = queue.shift()!;
    const source = readFileSync(file, 'utf8');
    const code = file.endsWith('.svelte') ? [...source.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n') : source;
    for (const spec of staticSpecs(code)) {
      if (!spec.startsWith('.')) continue;
      const abs = resolve(dirname(file), spec);
      const hit = [abs, `${abs}.ts`, `${abs}/index.ts`].find((c) => byPath.has(c));
      if (hit && !parent.has(hit)) {
        parent.set(hit, file);
        queue.push(hit);
      }
    }
  }
  return parent;
}

describe('first load', () => {
  it('reaches no model, training, retrieval or test-double code', () => {
    const roots = [join(SRC, 'main.ts'), ...files.filter((f) => /^labs\/[^/]+\/meta\.ts$|^app\/pages\/[^/]+\.page\.ts$/.test(f.rel)).map((f) => f.file)];
    const closure = staticClosure(roots);
    const heavy = /^lib\/(tinylm\/(?!contract\.ts|corpus\/formats\.ts)|rag\/(retriever|vector-index|voy-index|store|ingest|simd-kernel|register)|engine\/(test-double|tinylm-engine|worker-engine|webllm\/)|langchain\/(?!default-chain)|inference\/|finetune\/|align\/)/;
    const chain = (f: string) => {
      const out: string[] = [];
      for (let x = f; x; x = closure.get(x)!) out.push(relative(SRC, x));
      return out.join(' ← ');
    };
    const bad = [...closure.keys()].filter((f) => heavy.test(relative(SRC, f))).map(chain);
    expect(bad).toEqual([]);
  });
});

describe('single sources', () => {
  // Helpers that once had several diverging copies: each must be defined exactly once in src/.
  const defined = (name: string) =>
    files.filter((f) => new RegExp(`\\b(?:function\\s+${name}\\s*[(<]|(?:const|let)\\s+${name}\\s*=)`).test(readFileSync(f.file, 'utf8'))).map((f) => `src/${f.rel}`);
  it.each([
    ['formatBytes', 'lib/format/bytes.ts'],
    ['argmax', 'lib/sampling/transforms.ts'],
    ['byteToUnicode', 'lib/tokenizer/bytes.ts'],
  ])('%s is defined once (in src/%s)', (name, where) => {
    expect(defined(name)).toEqual([`src/${where}`]);
  });
});
