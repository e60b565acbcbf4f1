/**
 * The layering, checked on every import the way permissions_test.ts checks
 * the permission list: the plugin seam works both ways.
 *
 * - `core/` never imports `plugins/` or an entry point (`cli.ts`, `mod.ts`,
 *   `plugin.ts`, `testing.ts`): core does not know the built-in plugin; the
 *   entry points hand it in.
 * - A file under `plugins/` imports only the public plugin entry
 *   (`plugin.ts`) and files beside it under `plugins/`: the built-ins can do
 *   nothing a team's plugin cannot.
 * - `plugin.ts` imports core only (it is what plugins import; it must not
 *   pull in the CLI or the built-ins).
 *
 * Imports are found with a regular expression over `import … from`,
 * `export … from`, side-effect `import "…"` and `import("…")` with a literal
 * string — enough for this code base, which computes no import paths of its
 * own (the compile rule in DESIGN.md).
 */
import assert from "node:assert/strict";
import { dirname, join, normalize } from "node:path";

const ROOT = normalize(new URL("..", import.meta.url).pathname);
const SKIP_DIRS = new Set([".git", "dist", "node_modules", ".cache", "bench/results"]);
const ENTRY_POINTS = ["cli.ts", "mod.ts", "plugin.ts", "testing.ts"];

const SPECIFIER = new RegExp(
  [
    // import x from "…", import type { x } from "…", export { x } from "…", export * from "…"
    String.raw`(?:^|[\s;])(?:import|export)\s+(?:type\s+)?[^"'\`;]*?\sfrom\s*["']([^"']+)["']`,
    // import "…"
    String.raw`(?:^|[\s;])import\s*["']([^"']+)["']`,
    // import("…"), await import('…')
    String.raw`\bimport\s*\(\s*["']([^"']+)["']\s*[,)]`,
  ].join("|"),
  "gm",
);

/** Every module specifier in `text`, comments stripped first. */
export function importSpecifiers(text: string): string[] {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const out: string[] = [];
  for (const m of code.matchAll(SPECIFIER)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** One import that runs against the layering. */
export interface LayeringProblem {
  file: string;
  imports: string;
  rule: string;
}

/**
 * Checks `files` (repo-relative path → source). Relative specifiers are
 * resolved against the importing file; anything else (`npm:`, `node:`, an
 * import-map name) is not a local file and not judged here.
 */
export function layeringProblems(files: ReadonlyMap<string, string>): LayeringProblem[] {
  const problems: LayeringProblem[] = [];
  for (const [file, text] of files) {
    for (const spec of importSpecifiers(text)) {
      if (!spec.startsWith("./") && !spec.startsWith("../")) continue;
      const target = normalize(join(dirname(file), spec));
      const add = (rule: string) => problems.push({ file, imports: target, rule });
      if (file.startsWith("core/")) {
        if (target.startsWith("plugins/")) add("core never imports plugins/");
        if (ENTRY_POINTS.includes(target)) add("core never imports an entry point");
      } else if (file.startsWith("plugins/")) {
        if (target !== "plugin.ts" && !target.startsWith("plugins/")) {
          add("plugins/ imports only plugin.ts (and files under plugins/)");
        }
      } else if (file === "plugin.ts") {
        if (!target.startsWith("core/")) add("plugin.ts imports core only");
      }
    }
  }
  return problems;
}

async function sourceFiles(dir = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(join(ROOT, dir))) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory) {
      if (SKIP_DIRS.has(rel) || SKIP_DIRS.has(e.name)) continue;
      for (const [k, v] of await sourceFiles(rel)) out.set(k, v);
    } else if (e.isFile && e.name.endsWith(".ts")) {
      out.set(rel, await Deno.readTextFile(join(ROOT, rel)));
    }
  }
  return out;
}

const files = await sourceFiles();

Deno.test("architecture: no import runs against the layering", () => {
  const problems = layeringProblems(files);
  assert.deepEqual(
    problems.map((p) => `${p.file} imports ${p.imports}: ${p.rule}`),
    [],
  );
});

Deno.test("architecture: the walk sees core, the built-ins and the entry points", () => {
  assert.ok(files.has("plugin.ts") && files.has("mod.ts") && files.has("cli.ts"));
  assert.ok([...files.keys()].some((f) => f.startsWith("core/plugin/")));
  const builtins = [...files.keys()].filter((f) => f.startsWith("plugins/builtin/"));
  assert.ok(builtins.length >= 5, builtins.join(", "));
  // Every built-in module that imports anything local goes through plugin.ts.
  for (const f of builtins) {
    const local = importSpecifiers(files.get(f)!).filter((s) => s.startsWith("."));
    const out = local.map((s) => normalize(join(dirname(f), s)));
    assert.ok(out.every((t) => t === "plugin.ts" || t.startsWith("plugins/")), `${f}: ${out}`);
  }
});

Deno.test("architecture: every import form is seen, and a planted upward import fails", () => {
  assert.deepEqual(
    importSpecifiers(`
      import { a } from "./a.ts";
      import type { B } from '../b.ts';
      export { c } from "./c.ts";
      export * from "./d.ts";
      import "./e.ts";
      const f = await import("./f.ts");
      const g = await import(
        "./g.ts"
      );
      // import { x } from "./commented.ts";
      /* import("./block.ts") */
      const s = "import('./in-a-string-is-fine-to-miss')";
    `).filter((s) => !s.includes("string")),
    ["./a.ts", "../b.ts", "./c.ts", "./d.ts", "./e.ts", "./f.ts", "./g.ts"],
  );
  const planted = new Map(files);
  planted.set(
    "core/bundle/planted.ts",
    `export const x = await import("../../plugins/builtin/mod.ts");`,
  );
  planted.set("core/text/planted.ts", `import { main } from "../../cli.ts";\nmain;`);
  planted.set(
    "plugins/builtin/planted.ts",
    `import { stdout } from "../../core/cli/io.ts";\nexport { stdout };`,
  );
  planted.set("plugin.ts", `${files.get("plugin.ts")}\nexport { main } from "./cli.ts";\n`);
  const show = (ps: LayeringProblem[]) => ps.map((p) => `${p.file} -> ${p.imports}`);
  const before = new Set(show(layeringProblems(files)));
  assert.deepEqual(
    show(layeringProblems(planted)).filter((p) => !before.has(p)).sort(),
    [
      "core/bundle/planted.ts -> plugins/builtin/mod.ts",
      "core/text/planted.ts -> cli.ts",
      "plugin.ts -> cli.ts",
      "plugins/builtin/planted.ts -> core/cli/io.ts",
    ],
  );
});
