/**
 * docs/plugins.md takes its snippets from tested files: a fenced block
 * right after `<!-- file: PATH -->` must be that file, byte for byte.
 * (The block after `<!-- output: ... -->` is checked against the real
 * output by tests/team_repo_test.ts.)
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "./_cli.ts";

/** One marked block: the comment's argument and the fence's content. */
export interface MarkedBlock {
  kind: "file" | "output";
  target: string;
  content: string;
}

/** The blocks of `markdown` marked `<!-- file: … -->` or `<!-- output: … -->`. */
export function markedBlocks(markdown: string): MarkedBlock[] {
  const out: MarkedBlock[] = [];
  const re = /<!-- (file|output): (.+?) -->\n\n?(`{3,})[a-z]*\n([\s\S]*?)\n?\3\n/g;
  for (const m of markdown.matchAll(re)) {
    out.push({ kind: m[1] as "file" | "output", target: m[2], content: m[4] + "\n" });
  }
  return out;
}

const DOC = await Deno.readTextFile(`${REPO_ROOT}/docs/plugins.md`);

Deno.test("docs/plugins.md: every snippet marked as from a file is that file", async () => {
  const blocks = markedBlocks(DOC).filter((b) => b.kind === "file");
  assert.deepEqual(blocks.map((b) => b.target), [
    "examples/team/conventions.ts",
    "examples/plugins/webhook/webhook.ts",
    "examples/team/conventions_test.ts",
    "examples/team/deno.json",
    "examples/team/kaizen.ts",
    "examples/plugins/recent-commits/plugins.yml",
  ]);
  for (const b of blocks) {
    assert.equal(b.content, await Deno.readTextFile(`${REPO_ROOT}/${b.target}`), b.target);
  }
});

Deno.test("docs/plugins.md: every ts/json/yaml fence is a marked file (or protocol data)", () => {
  // Code a reader would copy comes from a tested file; the only other fences
  // are protocol messages (json), shell commands and sample output.
  const fences = [...DOC.matchAll(/(?:<!-- (?:file|output): .+? -->\n\n?)?(`{3,})(ts|yaml)\n/g)];
  for (const f of fences) assert.ok(f[0].startsWith("<!--"), `unmarked ${f[2]} snippet`);
});

Deno.test("docs/plugins.md: the stale parts stay fixed", () => {
  assert.match(DOC, /four sinks/);
  assert.match(DOC, /18327/);
  assert.match(DOC, /hook collect \(section 'recent-commits'\): timed out/);
  assert.match(DOC, /^## Credentials$/m);
});
