/**
 * The shipped `dist/` layout (scripts/bundle_layout.ts): the entry beside a
 * `chunks/` folder, and no chunk named by a literal dynamic import, so that
 * `deno run dist/kaizen.js` reads only what a command loads — while the
 * compile task still embeds every chunk.
 *
 * @module
 */
import assert from "node:assert/strict";
import { CHUNKS_DIR, layoutProblems, rewriteChunk } from "../scripts/bundle_layout.ts";
import { BUNDLE_PATH, REPO_ROOT } from "./_cli.ts";

const CHUNKS = new Set(["prepare-AB12.js", "chunk-CD34.js"]);

Deno.test("rewriteChunk: the entry's chunk specifiers move to chunks/, dynamic ones are hidden", () => {
  const entry = [
    'import{a as b}from"./chunk-CD34.js";',
    'import "./chunk-CD34.js";',
    'const p=await import("./prepare-AB12.js");',
    "const q=await import('./prepare-AB12.js');",
    'const r=await import("./not-a-chunk.js");',
    'const s="./prepare-AB12.js is a string too";',
  ].join("\n");
  assert.equal(
    rewriteChunk(entry, CHUNKS, true),
    [
      'import{a as b}from"./chunks/chunk-CD34.js";',
      'import "./chunks/chunk-CD34.js";',
      'const p=await import(["./chunks/prepare-AB12.js"][0]);',
      "const q=await import(['./chunks/prepare-AB12.js'][0]);",
      'const r=await import("./not-a-chunk.js");',
      'const s="./prepare-AB12.js is a string too";',
    ].join("\n"),
  );
});

Deno.test("rewriteChunk: inside chunks/, static imports stay, dynamic ones are hidden", () => {
  const chunk = 'import{x}from"./chunk-CD34.js";const m=await import("./prepare-AB12.js");';
  assert.equal(
    rewriteChunk(chunk, CHUNKS, false),
    'import{x}from"./chunk-CD34.js";const m=await import(["./prepare-AB12.js"][0]);',
  );
});

Deno.test("layoutProblems: a literal dynamic import or an entry specifier left behind is reported", () => {
  const files = new Map([
    ["kaizen.js", 'import"./chunk-CD34.js";'],
    ["chunk-CD34.js", 'await import("./prepare-AB12.js")'],
  ]);
  assert.deepEqual(layoutProblems(files, CHUNKS), [
    "kaizen.js: './chunk-CD34.js' not moved to chunks/",
    'chunk-CD34.js: literal import("./prepare-AB12.js") left',
  ]);
});

Deno.test("dist/: every chunk is in chunks/, none is named by a literal import(), compile includes them", async () => {
  const dist = BUNDLE_PATH.replace(/\/kaizen\.js$/, "");
  const top = [...Deno.readDirSync(dist)].map((e) => e.name).filter((n) => n !== "kaizen");
  assert.deepEqual(top.sort(), [CHUNKS_DIR, "kaizen.js"]);
  const names = [...Deno.readDirSync(`${dist}/${CHUNKS_DIR}`)].map((e) => e.name);
  assert.ok(names.length > 10, "the bundle should be code-split");
  const files = new Map<string, string>([["kaizen.js", await Deno.readTextFile(BUNDLE_PATH)]]);
  for (const n of names) files.set(n, await Deno.readTextFile(`${dist}/${CHUNKS_DIR}/${n}`));
  assert.deepEqual(layoutProblems(files, new Set(names)), []);
  const compile = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`)).tasks.compile;
  assert.match(compile, new RegExp(`--include dist/${CHUNKS_DIR}/ `));
});
