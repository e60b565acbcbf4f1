/**
 * Unit tests (no subprocesses) for the bundle pipeline pieces: headings,
 * budget, rendering, hashing, repo slug, safe reads, plugin definition and
 * registry, and the pipeline's handling of misbehaving in-process plugins.
 */
import assert from "node:assert/strict";
import { applyBudget, BudgetExceededError } from "../core/bundle/budget.ts";
import { byteLength, contentHash } from "../core/bundle/hash.ts";
import { demoteHeadings } from "../core/bundle/headings.ts";
import { BundleModel } from "../core/bundle/model.ts";
import { runPipeline } from "../core/bundle/pipeline.ts";
import { renderBundle } from "../core/bundle/render.ts";
import { loadTokenCounter } from "../core/bundle/tokens.ts";
import type { Bundle, BundleSection } from "../core/bundle/types.ts";
import { createSafeReader } from "../core/fs/safe_read.ts";
import type { LoadedSchedule } from "../core/manifest/load.ts";
import { definePlugin, PluginDefinitionError } from "../core/plugin/define.ts";
import { PluginRegistry } from "../core/plugin/registry.ts";
import type { Plugin, SectionPlugin } from "../core/plugin/types.ts";
import { remoteRepoName, resolveRepoSlug } from "../core/repo/slug.ts";
import { builtinPlugin } from "../plugins/builtin/mod.ts";

// ---------------------------------------------------------------------------
// demoteHeadings

Deno.test("demoteHeadings: shifts ATX headings by two levels by default", () => {
  assert.equal(demoteHeadings("# A\n\ntext\n## B\n### C"), "### A\n\ntext\n#### B\n##### C");
  assert.equal(demoteHeadings("# A", 1), "## A");
  assert.equal(demoteHeadings("  # Indented"), "  ### Indented");
  assert.equal(demoteHeadings("#"), "###", "an empty heading is still a heading");
});

Deno.test("demoteHeadings: caps at ######", () => {
  assert.equal(demoteHeadings("#### four"), "###### four");
  assert.equal(demoteHeadings("##### five"), "###### five");
  assert.equal(demoteHeadings("###### six"), "###### six");
  assert.equal(demoteHeadings("# one", 9), "###### one");
});

Deno.test("demoteHeadings: leaves non-headings alone", () => {
  for (
    const line of [
      "#hashtag",
      "####### seven is not a heading",
      "    # code block (4 spaces)",
      "text # not",
    ]
  ) {
    assert.equal(demoteHeadings(line), line);
  }
});

Deno.test("demoteHeadings: fenced code blocks are untouched", () => {
  const md = [
    "# Title",
    "```sh",
    "# a shell comment",
    "~~~",
    "# still inside the backtick fence",
    "```",
    "## After",
    "~~~~",
    "# inside tilde fence",
    "```",
    "# still inside tilde fence",
    "~~~~",
    "# Last",
  ].join("\n");
  const expected = [
    "### Title",
    "```sh",
    "# a shell comment",
    "~~~",
    "# still inside the backtick fence",
    "```",
    "#### After",
    "~~~~",
    "# inside tilde fence",
    "```",
    "# still inside tilde fence",
    "~~~~",
    "### Last",
  ].join("\n");
  assert.equal(demoteHeadings(md), expected);
});

// ---------------------------------------------------------------------------
// applyBudget

/** One "token" per non-empty line piece: simple and predictable. */
const countWords = (t: string) => t.split(/\s+/).filter(Boolean).length;

function section(id: string, content: string, count = countWords): BundleSection {
  return {
    id,
    title: id,
    plugin: "builtin",
    source: `${id}.md`,
    status: "ok",
    content,
    bytes: byteLength(content),
    tokens: count(content),
    truncated: false,
  };
}

function lines(prefix: string, n: number, wordsPerLine = 5): string {
  return Array.from(
    { length: n },
    (_, i) => Array.from({ length: wordsPerLine }, (_, w) => `${prefix}${i}w${w}`).join(" "),
  ).join("\n");
}

const META: Record<string, { required: boolean; priority: number }> = {
  prompt: { required: true, priority: 50 },
  memory: { required: false, priority: 30 },
  metrics: { required: false, priority: 20 },
  pointers: { required: false, priority: 10 },
  "session-close": { required: true, priority: 50 },
};
const meta = (id: string) => META[id];

function standardSections(count = countWords): BundleSection[] {
  return [
    section("prompt", lines("p", 20), count),
    section("memory", lines("m", 20), count),
    section("metrics", lines("x", 20), count),
    section("pointers", lines("t", 20), count),
    section("session-close", lines("s", 4), count),
  ];
}

const total = (ss: BundleSection[]) => ss.reduce((n, s) => n + (s.tokens ?? 0), 0);

Deno.test("applyBudget: no trimming when the bundle already fits", () => {
  const ss = standardSections();
  const before = structuredClone(ss);
  applyBudget(ss, total(ss), countWords, meta);
  assert.deepEqual(ss, before);
});

Deno.test("applyBudget: pointers are trimmed first, with a visible marker", () => {
  const ss = standardSections();
  const full = total(ss); // 100*4 + 20 = 420
  const budget = full - 30;
  const [prompt, memory, metrics, pointers, close] = structuredClone(ss);
  applyBudget(ss, budget, countWords, meta);
  assert.ok(total(ss) <= budget, `${total(ss)} <= ${budget}`);
  assert.equal(ss[3].truncated, true);
  assert.match(
    ss[3].content,
    /_\[kaizen: truncated to fit the token budget: kept about \d+ of 100 tokens; full text in `pointers\.md`\]_/,
  );
  assert.ok(ss[3].content.startsWith("t0w0"), "keeps the top of the section");
  assert.equal(ss[3].bytes, byteLength(ss[3].content));
  assert.equal(ss[3].tokens, countWords(ss[3].content));
  assert.deepEqual(ss[0], prompt);
  assert.deepEqual(ss[1], memory);
  assert.deepEqual(ss[2], metrics);
  assert.deepEqual(ss[4], close);
  void pointers;
});

Deno.test("applyBudget: then metrics, then memory; required sections never cut", () => {
  // Budget that removes all of pointers and part of metrics.
  let ss = standardSections();
  const required = (ss[0].tokens ?? 0) + (ss[4].tokens ?? 0); // 120
  let budget = required + 100 + 50; // memory whole + half of metrics
  applyBudget(ss, budget, countWords, meta);
  assert.ok(total(ss) <= budget);
  assert.equal(ss[3].truncated, true, "pointers cut");
  assert.equal(ss[2].truncated, true, "metrics cut");
  assert.equal(ss[1].truncated, false, "memory untouched");
  assert.equal(ss[1].content, lines("m", 20));
  assert.equal(ss[0].truncated, false);
  assert.equal(ss[4].truncated, false);
  assert.equal(ss[0].content, lines("p", 20));
  assert.equal(ss[4].content, lines("s", 4));
  assert.match(ss[2].content, /_\[kaizen: truncated to fit the token budget/);

  // Budget that only leaves room for required + a bit of memory.
  ss = standardSections();
  budget = required + 40;
  applyBudget(ss, budget, countWords, meta);
  assert.ok(total(ss) <= budget);
  assert.ok(ss[1].truncated && ss[2].truncated && ss[3].truncated);
  assert.match(
    ss[1].content,
    /_\[kaizen: truncated to fit the token budget: kept about \d+ of 100 tokens/,
  );
  assert.equal(ss[0].content, lines("p", 20));
  assert.equal(ss[4].content, lines("s", 4));

  // Exactly the required sections: everything else is dropped, required kept whole.
  ss = standardSections();
  applyBudget(ss, required, countWords, meta);
  assert.equal(total(ss), required);
  for (const i of [1, 2, 3]) {
    assert.equal(ss[i].truncated, true);
    assert.equal(ss[i].tokens, 0);
  }
  assert.equal(ss[0].truncated, false);
  assert.equal(ss[4].truncated, false);
});

Deno.test("applyBudget: equal priorities trim the later section first", () => {
  const ss = [
    section("prompt", lines("p", 2)),
    section("a", lines("a", 10)),
    section("b", lines("b", 10)),
  ];
  const m = (
    id: string,
  ) => (id === "prompt" ? { required: true, priority: 0 } : { required: false, priority: 40 });
  applyBudget(ss, total(ss) - 20, countWords, m);
  assert.equal(ss[1].truncated, false);
  assert.equal(ss[2].truncated, true);
});

Deno.test("applyBudget: required sections over the budget throw BudgetExceededError", () => {
  const ss = standardSections();
  const before = structuredClone(ss);
  assert.throws(
    () => applyBudget(ss, 119, countWords, meta),
    (err: unknown) => {
      assert.ok(err instanceof BudgetExceededError);
      assert.equal(err.required, 120);
      assert.equal(err.budget, 119);
      assert.ok(!err.message.includes("\n"));
      assert.match(err.message, /120 tokens, over the token budget 119/);
      return true;
    },
  );
  assert.deepEqual(ss, before, "nothing trimmed when the budget is impossible");
});

Deno.test("applyBudget: with the real tokenizer the total fits the budget", async () => {
  const count = await loadTokenCounter();
  const ss = standardSections(count);
  const full = total(ss);
  const required = (ss[0].tokens ?? 0) + (ss[4].tokens ?? 0);
  for (const budget of [full - 1, Math.floor((full + required) / 2), required + 30, required]) {
    const copy = structuredClone(ss);
    applyBudget(copy, budget, count, meta);
    assert.ok(total(copy) <= budget, `budget ${budget}: total ${total(copy)}`);
    for (const s of copy) assert.equal(s.tokens, count(s.content), `${s.id} tokens recounted`);
    assert.equal(copy[0].content, ss[0].content);
    assert.equal(copy[4].content, ss[4].content);
  }
});

// ---------------------------------------------------------------------------
// renderBundle

function makeBundle(sections: BundleSection[], extra: Partial<Bundle> = {}): Bundle {
  return {
    schema: "kaizen.bundle/v1",
    agent: "coach",
    repo: "demo",
    root: "/tmp/demo",
    cadence: null,
    schedule: { manifest: "absent", listed: false, enabled: null, cron: null, timezone: null },
    generated_at: "2026-11-23T08:00:00Z",
    prepare_command: "kaizen schedule prepare coach --target /tmp/demo --format json",
    format: "json",
    agent_prompt_found: true,
    agent_prompt_source: "packaged",
    has_memory: false,
    has_metrics: false,
    pointers: [],
    bytes: 0,
    session_close: ["kaizen metrics record coach --success --time <s> --quality <0-1>"],
    sections,
    tokens: null,
    token_encoding: null,
    max_tokens: null,
    redactions: 0,
    warnings: [],
    sha256: "0".repeat(64),
    kaizen_version: "0.0.0",
    ...extra,
  };
}

Deno.test("renderBundle json: bytes is the exact output size, across powers of ten", () => {
  const base = renderBundle(makeBundle([section("prompt", "")]), "json").text;
  const baseSize = byteLength(base);
  const crossed = new Set<number>();
  // Grow the content one byte at a time through 1000 and 10000 (and 100000).
  for (const target of [1000, 10_000, 100_000]) {
    for (let size = target - 12; size <= target + 12; size++) {
      const pad = size - baseSize;
      if (pad < 0) continue;
      const { text, bundle } = renderBundle(
        makeBundle([section("prompt", "x".repeat(pad))]),
        "json",
      );
      const parsed = JSON.parse(text);
      assert.equal(parsed.bytes, byteLength(text), `pad ${pad}`);
      assert.equal(bundle.bytes, byteLength(text));
      assert.ok(text.endsWith("}\n"));
      crossed.add(String(byteLength(text)).length);
    }
  }
  assert.deepEqual([...crossed].sort(), [4, 5, 6], "output sizes crossed 10000 and 100000");
});

Deno.test("renderBundle json: multi-byte content is counted in UTF-8 bytes", () => {
  const { text, bundle } = renderBundle(
    makeBundle([section("prompt", "é€😀".repeat(300))]),
    "json",
  );
  assert.equal(bundle.bytes, new TextEncoder().encode(text).length);
  assert.notEqual(bundle.bytes, text.length);
  assert.equal(JSON.parse(text).bytes, bundle.bytes);
});

Deno.test("renderBundle: output validates against BundleModel and is deterministic", () => {
  const b = makeBundle([section("prompt", "# Prompt\nbody"), section("session-close", "done")]);
  const a1 = renderBundle(b, "json");
  const a2 = renderBundle(structuredClone(b), "json");
  assert.equal(a1.text, a2.text);
  BundleModel.parse(JSON.parse(a1.text));
  const m = renderBundle(b, "markdown");
  assert.equal(m.bundle.bytes, byteLength(m.text));
  assert.match(
    m.text,
    /^## prompt\n\n_Source: `prompt\.md`_\n\n### Prompt\nbody$/m,
    "embedded headings demoted",
  );
  assert.equal(b.bytes, 0, "input bundle not mutated");
});

// ---------------------------------------------------------------------------
// contentHash

Deno.test("contentHash: stable, content-addressed, ignores everything but id and content", async () => {
  const a = [section("prompt", "hello"), section("memory", "world")];
  const h1 = await contentHash(a);
  assert.match(h1, /^[0-9a-f]{64}$/);
  assert.equal(await contentHash(structuredClone(a)), h1);
  const other = structuredClone(a);
  other[0].title = "Changed";
  other[0].tokens = 99;
  other[0].source = "elsewhere";
  assert.equal(await contentHash(other), h1, "metadata does not change the hash");
  assert.notEqual(await contentHash([section("prompt", "hello"), section("memory", "world!")]), h1);
  assert.notEqual(
    await contentHash([section("prompt", "hello"), section("pointers", "world")]),
    h1,
  );
  assert.notEqual(await contentHash([a[1], a[0]]), h1, "order matters");
  // Boundaries matter: moving text between sections changes the hash.
  assert.notEqual(
    await contentHash([section("prompt", "hellow"), section("memory", "orld")]),
    h1,
  );
  // Known value for a fixed input (guards against accidental format changes).
  const expected = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode("prompt\u0000hello\u0001memory\u0000world"),
  );
  assert.equal(
    h1,
    [...new Uint8Array(expected)].map((b) => b.toString(16).padStart(2, "0")).join(""),
  );
});

// ---------------------------------------------------------------------------
// remoteRepoName / resolveRepoSlug

Deno.test("remoteRepoName: ssh, https, trailing slash, no remote", () => {
  const cfg = (url: string, name = "origin") =>
    `[core]\n\tbare = false\n[remote "${name}"]\n\turl = ${url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`;
  assert.equal(remoteRepoName(cfg("git@host:org/my-service.git")), "my-service");
  assert.equal(remoteRepoName(cfg("git@github.com:org/sub/deep.repo.git")), "deep.repo");
  assert.equal(
    remoteRepoName(cfg("https://github.com/org/invoice-service.git")),
    "invoice-service",
  );
  assert.equal(remoteRepoName(cfg("https://github.com/org/invoice-service")), "invoice-service");
  assert.equal(remoteRepoName(cfg("https://github.com/org/invoice-service/")), "invoice-service");
  assert.equal(
    remoteRepoName(cfg("https://github.com/org/invoice-service.git/")),
    "invoice-service",
  );
  assert.equal(remoteRepoName(cfg("ssh://git@host:2222/org/svc.git")), "svc");
  assert.equal(remoteRepoName(cfg("/srv/git/local-repo.git")), "local-repo");
  assert.equal(remoteRepoName("[core]\n\tbare = false\n"), undefined);
  assert.equal(remoteRepoName(""), undefined);
  // A url outside a remote section does not count.
  assert.equal(remoteRepoName('[submodule "x"]\n\turl = git@host:org/sub.git\n'), undefined);
});

Deno.test("remoteRepoName: origin wins, else the first remote", () => {
  const two =
    '[remote "upstream"]\n\turl = git@host:up/upstream-repo.git\n[remote "origin"]\n\turl = git@host:me/fork.git\n';
  assert.equal(remoteRepoName(two), "fork");
  const noOrigin =
    '[remote "a"]\n\turl = git@host:x/first.git\n[remote "b"]\n\turl = git@host:x/second.git\n';
  assert.equal(remoteRepoName(noOrigin), "first");
});

Deno.test("remoteRepoName: unsafe names are rejected", () => {
  assert.equal(remoteRepoName('[remote "origin"]\n\turl = git@host:org/we ird.git\n'), undefined);
  assert.equal(
    remoteRepoName('[remote "origin"]\n\turl = git@host:org/\u001b[31mred.git\n'),
    undefined,
  );
});

Deno.test("resolveRepoSlug: flag > env > git remote > directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-slug-" });
  try {
    const files = await createSafeReader(dir);
    const env = (v?: string) => (k: string) => (k === "KAIZEN_REPO" ? v : undefined);
    const base = files.root.split("/").pop();
    assert.deepEqual(await resolveRepoSlug(files, undefined, env()), {
      slug: base,
      source: "directory",
    });
    await Deno.mkdir(`${dir}/.git`);
    await Deno.writeTextFile(
      `${dir}/.git/config`,
      '[remote "origin"]\n\turl = git@host:org/my-service.git\n',
    );
    assert.deepEqual(await resolveRepoSlug(files, undefined, env()), {
      slug: "my-service",
      source: "git-remote",
    });
    assert.deepEqual(await resolveRepoSlug(files, undefined, env("from-env")), {
      slug: "from-env",
      source: "env",
    });
    assert.deepEqual(await resolveRepoSlug(files, "from-flag", env("from-env")), {
      slug: "from-flag",
      source: "flag",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// createSafeReader

async function withTemp(fn: (root: string, outside: string) => Promise<void>) {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-safe-" }));
  const root = `${base}/repo`;
  const outside = `${base}/outside`;
  await Deno.mkdir(root);
  await Deno.mkdir(outside);
  try {
    await fn(root, outside);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("createSafeReader: paths outside the root are refused without touching the disk", async () => {
  await withTemp(async (root, outside) => {
    await Deno.writeTextFile(`${outside}/x`, "OUTSIDE-MARKER");
    const r = await createSafeReader(root);
    for (
      const rel of ["../outside/x", "../x", "a/../../outside/x", `${outside}/x`, "/etc/passwd"]
    ) {
      const got = await r.readText(rel);
      assert.equal(got.status, "refused", rel);
      assert.ok(got.status === "refused" && /outside the repository/.test(got.reason), rel);
    }
  });
});

Deno.test("createSafeReader: symlinks resolving outside are refused, inside ones followed", async () => {
  await withTemp(async (root, outside) => {
    await Deno.writeTextFile(`${outside}/secret.txt`, "OUTSIDE-MARKER");
    await Deno.writeTextFile(`${root}/real.md`, "inside text");
    await Deno.symlink(`${outside}/secret.txt`, `${root}/abs-out.md`);
    await Deno.symlink("../outside/secret.txt", `${root}/rel-out.md`);
    await Deno.symlink("real.md", `${root}/in.md`);
    await Deno.symlink(outside, `${root}/dirlink`);
    const r = await createSafeReader(root);
    assert.equal(r.root, root);
    for (const rel of ["abs-out.md", "rel-out.md", "dirlink/secret.txt"]) {
      const got = await r.readText(rel);
      assert.equal(got.status, "refused", rel);
      assert.ok(got.status === "refused" && /outside the repository/.test(got.reason));
      assert.ok(!JSON.stringify(got).includes("OUTSIDE-MARKER"));
    }
    const inside = await r.readText("in.md");
    assert.deepEqual(inside, { status: "ok", path: "in.md", text: "inside text", bytes: 11 });
  });
});

Deno.test("createSafeReader: dangling symlink inside is missing, pointing outside is refused", async () => {
  await withTemp(async (root, outside) => {
    await Deno.symlink("nowhere.md", `${root}/dangling-in.md`);
    await Deno.symlink(`${outside}/nowhere.md`, `${root}/dangling-out.md`);
    await Deno.symlink("../outside/nowhere.md", `${root}/dangling-out-rel.md`);
    const r = await createSafeReader(root);
    assert.equal((await r.readText("dangling-in.md")).status, "missing");
    assert.equal((await r.readText("does-not-exist.md")).status, "missing");
    assert.equal((await r.readText("dir/does-not-exist.md")).status, "missing");
    assert.equal((await r.readText("dangling-out.md")).status, "refused");
    assert.equal((await r.readText("dangling-out-rel.md")).status, "refused");
  });
});

Deno.test("createSafeReader: size cap, binary, non-UTF-8, directories, BOM", async () => {
  await withTemp(async (root) => {
    await Deno.writeTextFile(`${root}/200.md`, "a".repeat(200));
    await Deno.writeTextFile(`${root}/100.md`, "a".repeat(100));
    await Deno.writeFile(`${root}/bin.md`, new Uint8Array([0x68, 0x69, 0x00, 0x68, 0x69]));
    await Deno.writeFile(`${root}/latin1.md`, new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await Deno.writeTextFile(`${root}/bom.md`, "\uFEFFhello");
    await Deno.mkdir(`${root}/folder.md`);
    const r = await createSafeReader(root, 100);
    assert.equal(r.maxBytes, 100);
    const big = await r.readText("200.md");
    assert.ok(big.status === "refused" && /200 bytes, over the 100-byte cap/.test(big.reason));
    assert.equal((await r.readText("100.md")).status, "ok", "exactly at the cap is fine");
    const bin = await r.readText("bin.md");
    assert.ok(bin.status === "refused" && /binary/.test(bin.reason));
    const latin = await r.readText("latin1.md");
    assert.ok(latin.status === "refused" && /UTF-8/.test(latin.reason));
    const dir = await r.readText("folder.md");
    assert.ok(dir.status === "refused" && /not a regular file/.test(dir.reason));
    const bom = await r.readText("bom.md");
    assert.ok(bom.status === "ok" && bom.text === "hello");
  });
});

// ---------------------------------------------------------------------------
// definePlugin / PluginRegistry

const okSection = (
  id: string,
  order: number,
  extra: Partial<SectionPlugin> = {},
): SectionPlugin => ({
  id,
  title: `Title ${id}`,
  order,
  collect: () => ({ content: `content of ${id}` }),
  ...extra,
});

function expectDefinitionError(plugin: unknown, re: RegExp) {
  assert.throws(() => definePlugin(plugin as Plugin), (err: unknown) => {
    assert.ok(err instanceof PluginDefinitionError, String(err));
    assert.match(err.message, re);
    return true;
  });
}

Deno.test("definePlugin: accepts a valid plugin and returns it unchanged", () => {
  const p: Plugin = {
    name: "team-x",
    apiVersion: 1,
    sections: [okSection("notes", 450)],
    sinks: [{ name: "s3", emit() {} }],
  };
  assert.equal(definePlugin(p), p);
  assert.equal(definePlugin({ name: "empty", apiVersion: 1 }).name, "empty");
});

Deno.test("definePlugin: validation errors name the plugin and the problem", () => {
  expectDefinitionError({ name: "Bad_Name", apiVersion: 1 }, /plugin 'Bad_Name': name must match/);
  expectDefinitionError({ apiVersion: 1 }, /plugin '<unnamed>'/);
  expectDefinitionError(null, /plugin '<unnamed>'/);
  expectDefinitionError(
    { name: "p", apiVersion: 2 },
    /plugin 'p': apiVersion 2 is not supported; this kaizen implements apiVersion 1/,
  );
  expectDefinitionError({ name: "p" }, /apiVersion undefined is not supported/);
  expectDefinitionError(
    { name: "p", apiVersion: 1, sections: [okSection("Bad Id", 1)] },
    /section id 'Bad Id' must match/,
  );
  expectDefinitionError({
    name: "p",
    apiVersion: 1,
    sections: [okSection("s", 1, { title: "  " })],
  }, /section 's' needs a title/);
  expectDefinitionError(
    { name: "p", apiVersion: 1, sections: [okSection("s", NaN)] },
    /section 's' needs a numeric order/,
  );
  expectDefinitionError(
    { name: "p", apiVersion: 1, sections: [okSection("s", "1" as unknown as number)] },
    /section 's' needs a numeric order/,
  );
  expectDefinitionError(
    { name: "p", apiVersion: 1, sections: [{ id: "s", title: "S", order: 1 }] },
    /section 's' needs collect\(\)/,
  );
  expectDefinitionError(
    { name: "p", apiVersion: 1, sinks: [{ name: "Bad", emit() {} }] },
    /sink name 'Bad' must match/,
  );
  expectDefinitionError(
    { name: "p", apiVersion: 1, sinks: [{ name: "s" }] },
    /sink 's' needs emit\(\)/,
  );
});

Deno.test("PluginRegistry: refuses duplicate plugin names, section ids and sink names", () => {
  const reg = new PluginRegistry();
  reg.add(builtinPlugin, { kind: "builtin" });
  assert.throws(
    () => reg.add(builtinPlugin, { kind: "builtin" }),
    /plugin 'builtin': a plugin with this name is already loaded/,
  );
  assert.throws(
    () =>
      reg.add({ name: "dup-section", apiVersion: 1, sections: [okSection("memory", 1)] }, {
        kind: "embedded",
      }),
    (err: unknown) =>
      err instanceof PluginDefinitionError &&
      /section id 'memory' is already provided by 'builtin'/.test(err.message),
  );
  assert.throws(
    () =>
      reg.add({ name: "dup-sink", apiVersion: 1, sinks: [{ name: "stdout", emit() {} }] }, {
        kind: "embedded",
      }),
    /sink 'stdout' is already provided by 'builtin'/,
  );
  assert.throws(
    () => reg.add({ name: "BAD", apiVersion: 1 }, { kind: "embedded" }),
    PluginDefinitionError,
    "add() validates the shape too",
  );
  assert.equal(reg.list().length, 1, "failed adds leave the registry unchanged");
  assert.deepEqual(reg.sinks().map((s) => s.sink.name), [
    "stdout",
    "file",
    "nats",
    "artifact-store",
  ]);
  assert.equal(reg.sink("file")?.plugin, "builtin");
  assert.equal(reg.sink("nope"), undefined);
});

Deno.test("PluginRegistry: sections sorted by order, ties keep registration order", () => {
  const reg = new PluginRegistry();
  reg.add({
    name: "late",
    apiVersion: 1,
    sections: [okSection("z-first", 10), okSection("tie-a", 350)],
  }, { kind: "embedded" });
  reg.add(builtinPlugin, { kind: "builtin" });
  reg.add({
    name: "later",
    apiVersion: 1,
    sections: [okSection("tie-b", 350), okSection("end", 1000)],
  }, { kind: "embedded" });
  assert.deepEqual(reg.sections().map((s) => `${s.plugin}:${s.section.id}`), [
    "late:z-first",
    "builtin:prompt",
    "builtin:memory",
    "builtin:metrics",
    "late:tie-a",
    "later:tie-b",
    "builtin:pointers",
    "builtin:session-close",
    "later:end",
  ]);
  assert.deepEqual(reg.list().map((p) => p.origin.kind), ["embedded", "builtin", "embedded"]);
});

// ---------------------------------------------------------------------------
// runPipeline with in-process plugins

async function pipeline(
  extra: SectionPlugin[],
  opts: { maxTokens?: number; countTokens?: boolean } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-pipe-" });
  try {
    await Deno.mkdir(`${dir}/.kaizen/agents/coach`, { recursive: true });
    await Deno.writeTextFile(`${dir}/.kaizen/agents/coach/memory.md`, "# Memory\n\n- a lesson\n");
    const files = await createSafeReader(dir);
    const registry = new PluginRegistry();
    registry.add(builtinPlugin, { kind: "builtin" });
    if (extra.length > 0) {
      registry.add({ name: "test-plugin", apiVersion: 1, sections: extra }, { kind: "embedded" });
    }
    const loaded: LoadedSchedule = {
      root: files.root,
      file: `${files.root}/.kaizen/schedule.yml`,
      exists: false,
      diagnostics: [],
      knownAgents: ["coach"],
    };
    const streamed: string[] = [];
    const result = await runPipeline({
      agent: "coach",
      repo: "demo",
      files,
      loaded,
      registry,
      now: new Date("2026-11-23T08:00:00Z"),
      format: "json",
      program: "kaizen",
      prepareCommand: "kaizen schedule prepare coach",
      countTokens: opts.countTokens ?? false,
      maxTokens: opts.maxTokens,
      onWarning: (m) => streamed.push(m),
    });
    return { ...result, streamed };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("runPipeline: builtin sections only", async () => {
  const { bundle, pluginFailures, streamed } = await pipeline([]);
  assert.equal(pluginFailures, 0);
  assert.deepEqual(streamed, []);
  assert.deepEqual(bundle.sections.map((s) => s.id), [
    "prompt",
    "memory",
    "metrics",
    "pointers",
    "session-close",
  ]);
  assert.equal(bundle.has_memory, true);
  assert.equal(bundle.has_metrics, false);
  assert.equal(bundle.agent_prompt_source, "packaged");
  assert.equal(bundle.tokens, null);
  assert.equal(bundle.schedule.manifest, "absent");
  BundleModel.parse(JSON.parse(renderBundle(bundle, "json").text));
});

Deno.test("runPipeline: a throwing section becomes a warning section; pluginFailures 1", async () => {
  const { bundle, pluginFailures, streamed } = await pipeline([
    okSection("boom", 350, {
      collect: () => {
        throw new Error("kaput\nsecond line with stack-ish text");
      },
    }),
  ]);
  assert.equal(pluginFailures, 1);
  const s = bundle.sections.find((x) => x.id === "boom");
  assert.ok(s, "warning section present");
  assert.equal(s.status, "warning");
  assert.equal(s.plugin, "test-plugin");
  assert.match(s.content, /This section failed and was left out:_ kaput/);
  assert.ok(!s.content.includes("second line"));
  assert.equal(bundle.warnings.length, 1);
  assert.match(bundle.warnings[0], /plugin 'test-plugin', hook collect \(section 'boom'\): kaput/);
  assert.deepEqual(streamed, bundle.warnings);
  // An async rejection with a non-Error value is handled the same way.
  const r2 = await pipeline([
    okSection("rej", 350, { collect: () => Promise.reject("plain string") }),
  ]);
  assert.equal(r2.pluginFailures, 1);
  assert.match(r2.bundle.warnings[0], /plain string/);
});

Deno.test("runPipeline: a section returning null is omitted", async () => {
  const { bundle, pluginFailures } = await pipeline([
    okSection("quiet", 350, { collect: () => null }),
  ]);
  assert.equal(pluginFailures, 0);
  assert.ok(!bundle.sections.some((s) => s.id === "quiet"));
  assert.deepEqual(bundle.warnings, []);
  assert.equal(bundle.sections.length, 5);
});

Deno.test("runPipeline: a non-object result is treated as a failure", async () => {
  for (const bad of [42, "text", undefined, { content: 5 }, { nope: true }, true]) {
    const { bundle, pluginFailures } = await pipeline([
      okSection("weird", 350, { collect: () => bad as never }),
    ]);
    assert.equal(pluginFailures, 1, `result ${JSON.stringify(bad)}`);
    const s = bundle.sections.find((x) => x.id === "weird");
    assert.equal(s?.status, "warning");
    assert.match(bundle.warnings[0], /collect\(\) must return \{ content: string \} or null/);
  }
});

Deno.test("runPipeline: a plugin section sits between metrics and pointers by order", async () => {
  const { bundle, pluginFailures } = await pipeline(
    [okSection("team-notes", 350, { priority: 5 })],
    { countTokens: true },
  );
  assert.equal(pluginFailures, 0);
  assert.deepEqual(bundle.sections.map((s) => s.id), [
    "prompt",
    "memory",
    "metrics",
    "team-notes",
    "pointers",
    "session-close",
  ]);
  const s = bundle.sections.find((x) => x.id === "team-notes")!;
  assert.equal(s.content, "content of team-notes");
  assert.equal(s.plugin, "test-plugin");
  assert.equal(s.status, "ok");
  assert.equal(s.source, null);
  assert.equal(s.bytes, byteLength(s.content));
  assert.ok(typeof s.tokens === "number" && s.tokens > 0);
  assert.equal(bundle.tokens, bundle.sections.reduce((n, x) => n + (x.tokens ?? 0), 0));
  assert.equal(bundle.token_encoding, "cl100k_base");
});

Deno.test("runPipeline: plugin section content is control-stripped and redacted", async () => {
  const key = "AKIA" + "QWERTYUIOPASDFGH".split("").reverse().join("");
  const { bundle } = await pipeline([
    okSection("leaky", 350, {
      collect: () => ({ content: `esc \u001b[31mred\u001b[0m and ${key}`, data: { key } }),
    }),
  ]);
  const s = bundle.sections.find((x) => x.id === "leaky")!;
  assert.ok(!s.content.includes("\u001b"));
  assert.ok(!JSON.stringify(bundle).includes(key), "secret appears nowhere in the bundle");
  assert.ok(bundle.redactions >= 2, `redactions ${bundle.redactions}`);
});

Deno.test("runPipeline: budget trims a low-priority plugin section before builtin ones", async () => {
  const big = Array.from({ length: 200 }, (_, i) => `- plugin line ${i} with several words in it`)
    .join("\n");
  const full = await pipeline([
    okSection("big", 350, { priority: 5, collect: () => ({ content: big }) }),
  ], { countTokens: true });
  const budget = (full.bundle.tokens ?? 0) - 100;
  const { bundle } = await pipeline([
    okSection("big", 350, { priority: 5, collect: () => ({ content: big }) }),
  ], { maxTokens: budget });
  assert.ok((bundle.tokens ?? Infinity) <= budget);
  const byId = Object.fromEntries(bundle.sections.map((s) => [s.id, s]));
  assert.equal(byId.big.truncated, true);
  assert.match(byId.big.content, /_\[kaizen: truncated to fit the token budget/);
  for (const id of ["prompt", "memory", "metrics", "pointers", "session-close"]) {
    assert.equal(byId[id].truncated, false, id);
  }
  assert.equal(bundle.max_tokens, budget);
});

Deno.test("applyBudget: keep 'end' keeps the newest lines, marker first", () => {
  const ss = [section("prompt", lines("p", 2)), section("memory", lines("m", 20))];
  const keepEnd = (id: string) =>
    id === "prompt"
      ? { required: true, priority: 50 }
      : { required: false, priority: 30, keep: "end" as const };
  const budget = total(ss) - 40;
  applyBudget(ss, budget, countWords, keepEnd);
  const memory = ss[1];
  assert.equal(memory.truncated, true);
  assert.ok(total(ss) <= budget);
  assert.match(memory.content, /^_\[kaizen: truncated to fit the token budget/);
  assert.ok(memory.content.endsWith("m19w4"), "the last line survives");
  assert.ok(!memory.content.includes("m0w0"), "the first line is cut");
});

Deno.test("definePlugin: keep must be start or end", () => {
  assert.throws(
    () =>
      definePlugin({
        name: "bad-keep",
        apiVersion: 1,
        // deno-lint-ignore no-explicit-any
        sections: [{ id: "x", title: "X", order: 1, keep: "middle" as any, collect: () => null }],
      }),
    /keep must be "start" or "end"/,
  );
});
