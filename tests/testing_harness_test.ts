import assert from "node:assert/strict";
import { definePlugin } from "../plugin.ts";
import {
  DEFAULT_AGENT,
  DEFAULT_REPO,
  FIXED_NOW,
  runSection,
  runSink,
  testSection,
} from "../testing.ts";
import { builtinPlugin } from "../plugins/builtin/mod.ts";
import { REPO_ROOT } from "./_cli.ts";
import { ALNUM, fake } from "./_fake_secrets.ts";

const notes = definePlugin({
  name: "notes",
  apiVersion: 1,
  sections: [{
    id: "notes",
    title: "Notes",
    order: 450,
    async collect(ctx) {
      const read = await ctx.files.readText("NOTES.md");
      if (read.status !== "ok") return null;
      return {
        content: read.text,
        source: read.path,
        data: { lines: read.text.split("\n").length },
      };
    },
  }],
});

Deno.test("runSection: a map of files in, the rendered section out", async () => {
  const run = await runSection(notes, { files: { "NOTES.md": "Ship on Fridays.\n" } });
  assert.equal(run.markdown, "## Notes\n\n_Source: `NOTES.md`_\n\nShip on Fridays.\n");
  assert.equal(run.section?.id, "notes");
  assert.equal(run.section?.plugin, "notes");
  assert.deepEqual(run.section?.data, { lines: 2 });
  assert.equal(run.failed, false);
  assert.deepEqual(run.warnings, []);
  // Only the section under test is in the bundle.
  assert.deepEqual(run.bundle.sections.map((s) => s.id), ["notes"]);
});

Deno.test("runSection: a section that returns null is left out", async () => {
  const run = await runSection(notes);
  assert.equal(run.section, null);
  assert.equal(run.markdown, "");
});

Deno.test("runSection: the clock, agent and slug are pinned, and can be chosen", async () => {
  const seen: string[] = [];
  const probe = {
    id: "probe",
    title: "Probe",
    order: 1,
    collect(ctx: { now: Date; agent: string; repo: string }) {
      seen.push(`${ctx.now.toISOString()} ${ctx.agent} ${ctx.repo}`);
      return { content: "x" };
    },
  };
  await runSection(probe);
  await runSection(probe, { now: "2026-03-29T01:30:00Z", agent: "optimization", repo: "a/b" });
  assert.deepEqual(seen, [
    `${FIXED_NOW.toISOString()} ${DEFAULT_AGENT} ${DEFAULT_REPO}`,
    "2026-03-29T01:30:00.000Z optimization a/b",
  ]);
});

Deno.test("runSection: the pipeline's safety applies (secrets redacted, controls stripped)", async () => {
  const token = "gh" + "p_" + fake(36, ALNUM, 21);
  const leaky = {
    id: "leaky",
    title: "Leaky",
    order: 1,
    collect: () => ({ content: `token ${token}\x1b[31m red`, data: { token } }),
  };
  const run = await runSection(leaky);
  assert.ok(!run.markdown.includes(token), run.markdown);
  assert.ok(!JSON.stringify(run.section?.data).includes(token));
  assert.match(run.markdown, /\[REDACTED:[a-z0-9-]+\]/);
  assert.ok(!run.markdown.includes("\x1b"));
});

Deno.test("runSection: a throwing hook is a failure with the CLI's one-line message", async () => {
  const broken = definePlugin({
    name: "broken",
    apiVersion: 1,
    sections: [{
      id: "broken",
      title: "Broken",
      order: 1,
      collect() {
        throw new Error("boom");
      },
    }],
  });
  const run = await runSection(broken);
  assert.equal(run.failed, true);
  assert.deepEqual(run.warnings, ["plugin 'broken', hook collect (section 'broken'): boom"]);
});

Deno.test("runSection: a built-in section, from a fixture folder and from a map", async () => {
  const pilot = await runSection(builtinPlugin, {
    section: "pointers",
    files: `${REPO_ROOT}/examples/pilot`,
  });
  assert.deepEqual(pilot.summary.pointers, ["scope", "todo"]);
  assert.match(pilot.markdown, /^## /);

  const memory = await runSection(builtinPlugin, {
    section: "memory",
    files: { ".kaizen/agents/coach/memory.md": "- 2026-01-02: tests are slow\n" },
  });
  assert.equal(memory.summary.has_memory, true);
  assert.equal(memory.section?.source, ".kaizen/agents/coach/memory.md");
  assert.match(memory.markdown, /tests are slow/);

  const none = await runSection(builtinPlugin, { section: "memory" });
  assert.equal(none.summary.has_memory, false);
  assert.equal(none.section?.status, "missing");
});

Deno.test("runSection: a plugin with several sections needs { section }", async () => {
  await assert.rejects(() => runSection(builtinPlugin), /has 5 sections; pass \{ section/);
  await assert.rejects(
    () => runSection(builtinPlugin, { section: "nope" }),
    /has no section 'nope'/,
  );
});

Deno.test("runSink: what the sink received, and its outcome line", async () => {
  const got: string[] = [];
  const memo = definePlugin({
    name: "memo",
    apiVersion: 1,
    sinks: [{
      name: "memo",
      emit(bundle, ctx) {
        got.push(`${bundle.agent} ${ctx.format}`);
        return "kept 1 bundle";
      },
    }],
  });
  const run = await runSink(memo, { files: { "SCOPE.md": "# Scope\n" } });
  assert.equal(run.ok, true);
  assert.equal(run.detail, "kept 1 bundle");
  assert.deepEqual(got, ["coach markdown"]);
  assert.equal(run.received?.bundle.agent, "coach");
  assert.deepEqual(run.received?.bundle.pointers, ["scope"]);
  assert.equal(run.received?.bundle.generated_at, "2026-01-05T09:00:00Z");
  assert.match(run.received?.rendered ?? "", /^# Orientation: coach in acme\/fixture/);
  assert.deepEqual(run.reports, [{ message: "sink 'memo': kept 1 bundle", level: "notice" }]);
});

Deno.test("runSink: a failing sink is a result, reported as the CLI does", async () => {
  const run = await runSink({
    name: "down",
    emit() {
      throw new Error("server answered 503");
    },
  }, { sections: [] });
  assert.equal(run.ok, false);
  assert.equal(run.detail, "server answered 503");
  assert.deepEqual(run.reports, [{
    message: "plugin 'under-test', sink 'down' failed: server answered 503",
    level: "error",
  }]);
});

Deno.test("runSink: an HTTP sink gets the injected fetch and env", async () => {
  const requests: string[] = [];
  const post = {
    name: "post",
    async emit(
      bundle: { agent: string },
      ctx: { fetch?: typeof fetch; env?(n: string): string | undefined },
    ) {
      const res = await ctx.fetch!(ctx.env!("POST_URL")!, { method: "POST", body: bundle.agent });
      return `answered ${res.status}`;
    },
  };
  const run = await runSink(post, {
    sections: [],
    env: { POST_URL: "http://example.invalid/hook" },
    fetch: async (input, init) => {
      requests.push(`${input} ${init?.method} ${init?.body}`);
      return await Promise.resolve(new Response(null, { status: 204 }));
    },
  });
  assert.equal(run.detail, "answered 204");
  assert.deepEqual(requests, ["http://example.invalid/hook POST coach"]);
});

Deno.test("runSink: the built-in file sink writes the rendered bundle to --out", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-harness-" });
  try {
    const out = `${dir}/bundle.json`;
    const run = await runSink(builtinPlugin, {
      sink: "file",
      format: "json",
      out,
      files: `${REPO_ROOT}/examples/pilot`,
    });
    assert.equal(run.ok, true, run.detail);
    const written = await Deno.readTextFile(out);
    assert.equal(written, run.received?.rendered);
    assert.equal(JSON.parse(written).agent, "coach");
    assert.deepEqual(
      JSON.parse(written).sections.map((s: { id: string }) => s.id),
      ["prompt", "memory", "metrics", "pointers", "session-close"],
    );

    const missing = await runSink(builtinPlugin, { sink: "file", sections: [] });
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /needs --out/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runSection: fixture paths may not leave the repository", async () => {
  await assert.rejects(
    () => runSection(notes, { files: { "../x.md": "x" } }),
    /must stay inside the repository/,
  );
});

Deno.test("runSink: a sink's declared options resolve as on the command line", async () => {
  const seen: unknown[] = [];
  const tagged = definePlugin({
    name: "tagged",
    apiVersion: 1,
    sinks: [{
      name: "tagged",
      options: [
        { flag: "tag", env: "TAGGED_TAG", kind: "string", description: "A tag" },
        { flag: "pause", kind: "duration", default: "2s", description: "A pause" },
      ],
      emit(_bundle, ctx) {
        seen.push(ctx.options);
      },
    }],
  });
  await runSink(tagged, { sections: [], sinkOptions: { tag: "from-flag", other: "x" } });
  await runSink(tagged, { sections: [], env: { TAGGED_TAG: "from-env" } });
  await runSink(tagged, { sections: [], sinkOptions: { pause: "250ms", "dry-run": true } });
  assert.deepEqual(seen, [
    { "dry-run": false, tag: "from-flag", pause: 2000 },
    { "dry-run": false, tag: "from-env", pause: 2000 },
    { "dry-run": true, tag: undefined, pause: 250 },
  ]);
});

// testSection registers one test per case, the way RuleTester.run does.
testSection(notes, [
  {
    name: "the file, rendered",
    files: { "NOTES.md": "Ship on Fridays.\n" },
    markdown: "## Notes\n\n_Source: `NOTES.md`_\n\nShip on Fridays.\n",
    warnings: [],
    failed: false,
  },
  { name: "no file: left out", markdown: null },
]);
testSection(builtinPlugin.sections!.find((s) => s.id === "memory")!, [
  {
    name: "a memory file sets has_memory",
    files: { ".kaizen/agents/coach/memory.md": "- noted\n" },
    markdown: /- noted/,
    summary: { has_memory: true },
  },
]);

Deno.test("testSection: a case that does not hold fails its test", async () => {
  const registered: Array<{ name: string; fn: () => Promise<void> }> = [];
  testSection(notes, [
    { name: "wrong text", files: { "NOTES.md": "a\n" }, markdown: /b/ },
    { name: "wrong warnings", warnings: ["x"] },
  ], (name, fn) => registered.push({ name, fn }));
  assert.deepEqual(registered.map((r) => r.name), ["notes: wrong text", "notes: wrong warnings"]);
  for (const r of registered) await assert.rejects(r.fn, assert.AssertionError);
});
