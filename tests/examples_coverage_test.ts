/**
 * Every value `mod.ts` exports has an `@example` that `deno test --doc` runs
 * (issue 21): the examples are the library's usage documentation, and the
 * test task runs them (`scripts/doc_test.ts`), so an export added without one
 * fails here rather than going undocumented.
 */
import assert from "node:assert/strict";
import * as mod from "../mod.ts";
import * as plugin from "../plugin.ts";
import * as testing from "../testing.ts";
import { docTestFiles, exportedDeclarations, isValueKind } from "../scripts/doc_test.ts";

const root = new URL("..", import.meta.url).pathname;

/**
 * True when an `@example` holds a code block `deno test --doc` type-checks
 * and runs: a TypeScript or JavaScript fence (or one without a language)
 * that is not marked `ignore`.
 */
function runnable(example: string): boolean {
  // Fences alternate: opening (with the info string), closing.
  const fences = [...example.matchAll(/^\s*```(.*)$/gm)].map((m) => m[1].trim());
  for (let i = 0; i < fences.length; i += 2) {
    const [lang = "", ...attrs] = fences[i].split(/\s+/);
    if (!/^(ts|typescript|js|javascript|mts|mjs|tsx|jsx|)$/.test(lang)) continue;
    if (!attrs.includes("ignore")) return true;
  }
  return false;
}

/** The values an entry point exports, each with its declaration's examples. */
async function valueExamples(entry: string, dir: string, names: readonly string[]) {
  const declared = (await exportedDeclarations(entry, dir)).filter((d) => isValueKind(d.kind));
  return names.map((name) => {
    const found = declared.filter((d) => d.name === name);
    return {
      name,
      found: found.length > 0,
      runnable: found.some((d) => d.examples.some(runnable)),
    };
  });
}

Deno.test("every value mod.ts exports has a runnable @example", async () => {
  const names = Object.keys(mod).sort();
  // Not vacuous: the library's surface is dozens of values.
  assert.ok(names.length >= 60, `only ${names.length} values exported by mod.ts?`);
  const values = await valueExamples("mod.ts", root, names);
  assert.deepEqual(values.filter((v) => !v.found).map((v) => v.name), [], "declarations not found");
  assert.deepEqual(
    values.filter((v) => !v.runnable).map((v) => v.name),
    [],
    "these mod.ts exports need an @example (a ```ts block, not `ignore`) on their declaration",
  );
});

Deno.test(
  "the doc-test run includes the declaring file of every value the entry points export",
  async () => {
    const files = new Set(await docTestFiles(root));
    const entries = [["mod.ts", mod], ["plugin.ts", plugin], ["testing.ts", testing]] as const;
    for (const [entry, module] of entries) {
      const names = Object.keys(module);
      const declared = (await exportedDeclarations(entry, root))
        .filter((d) => isValueKind(d.kind) && Object.hasOwn(module, d.name));
      // Every value the module has is found (`deno doc` follows each re-export to its source).
      assert.deepEqual(
        names.filter((n) => !declared.some((d) => d.name === n)).sort(),
        [],
        `${entry}: declarations not found`,
      );
      const left = declared.filter((d) => !files.has(d.file)).map((d) => `${d.name} (${d.file})`);
      assert.deepEqual(left, [], `${entry}: declaring files not in the run`);
      assert.ok(files.has(entry), entry);
    }
    // plugin.ts's and testing.ts's types bring their files too (their examples run).
    for (const entry of ["plugin.ts", "testing.ts"]) {
      const types = (await exportedDeclarations(entry, root)).filter((d) => !isValueKind(d.kind));
      assert.ok(types.length > 0, `${entry} exports no types?`);
      const left = types.filter((d) => !files.has(d.file)).map((d) => `${d.name} (${d.file})`);
      assert.deepEqual(left, [], `${entry}: declaring files of types not in the run`);
    }
    // Not vacuous: plugin.ts's surface is dozens of values, from files mod.ts does not reach.
    assert.ok(Object.keys(plugin).length >= 30, "plugin.ts exports few values?");
    assert.ok(files.has("core/http/retry.ts") && files.has("core/fs/safe_read.ts"));
  },
);

Deno.test("the check finds an export without an example, and one marked ignore", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/mod.ts`,
      [
        "/** Shown. */",
        "export const shown = 1;",
        "/**",
        " * Shown with an example.",
        " *",
        " * @example",
        " * ```ts",
        " * if (documented() !== 2) throw new Error('documented');",
        " * ```",
        " */",
        "export function documented(): number {",
        "  return 2;",
        "}",
        "/**",
        " * @example",
        " * ```ts ignore",
        " * skipped();",
        " * ```",
        " */",
        "export function skipped(): void {}",
        "/** A type needs none. */",
        "export type Shape = { a: number };",
        "",
      ].join("\n"),
    );
    const values = await valueExamples("mod.ts", dir, ["documented", "shown", "skipped"]);
    assert.deepEqual(values, [
      { name: "documented", found: true, runnable: true },
      { name: "shown", found: true, runnable: false },
      { name: "skipped", found: true, runnable: false },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
