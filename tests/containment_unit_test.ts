/**
 * Unit tests for the choke point and its guards: data caps, value-by-value
 * redaction, declared summary fields, the per-run deadline, the final scan
 * of rendered output, and the build-time list of packaged prompt hashes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { PACKAGED_PROMPTS } from "../core/agents/packaged_hashes.generated.ts";
import { boundData, redactData } from "../core/bundle/data.ts";
import { emitToSinks, renderSafely } from "../core/bundle/emit.ts";
import { sha256Hex } from "../core/bundle/hash.ts";
import { runPipeline } from "../core/bundle/pipeline.ts";
import type { Redactor } from "../core/bundle/scan.ts";
import { createDeadline } from "../core/fs/deadline.ts";
import { createSafeReader } from "../core/fs/safe_read.ts";
import type { LoadedSchedule } from "../core/manifest/load.ts";
import { PluginRegistry } from "../core/plugin/registry.ts";
import type { SectionPlugin } from "../core/plugin/types.ts";
import { printable, stripControl } from "../core/text/printable.ts";
import { builtinPlugin } from "../plugins/builtin/mod.ts";
import { PACKAGED_AGENTS } from "../agents/packaged.ts";
import { generate, HASHES_FILE } from "../scripts/gen-prompt-hashes.ts";

/**
 * A deterministic stand-in for the real detector: `SECRET` followed by word
 * characters is a secret, and so is any value after `password: `. Lines are
 * kept, so findings carry real line numbers.
 */
const fakeRedact: Redactor = (text) => {
  const findings: { rule: string; line: number; column: number }[] = [];
  const out = text.split("\n").map((line, i) =>
    line.replace(/SECRET\w+|(?<=password: )\S+/g, (_m, offset: number) => {
      findings.push({ rule: "fake", line: i + 1, column: offset + 1 });
      return "[REDACTED:fake]";
    })
  ).join("\n");
  return Promise.resolve({ text: out, count: findings.length, findings });
};

function section(id: string, order: number, extra: Partial<SectionPlugin>): SectionPlugin {
  return { id, title: id, order, collect: () => ({ content: "" }), ...extra };
}

async function pipeline(
  sections: SectionPlugin[],
  opts: { builtin?: boolean; deadlineMs?: number; redact?: Redactor } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-contain-" });
  try {
    const files = await createSafeReader(
      dir,
      undefined,
      opts.deadlineMs === undefined ? undefined : createDeadline(opts.deadlineMs),
    );
    const registry = new PluginRegistry();
    if (opts.builtin) registry.add(builtinPlugin, { kind: "builtin" });
    if (sections.length > 0) {
      registry.add({ name: "third-party", apiVersion: 1, sections }, { kind: "embedded" });
    }
    const loaded: LoadedSchedule = {
      root: files.root,
      file: `${files.root}/.kaizen/schedule.yml`,
      exists: false,
      diagnostics: [],
      knownAgents: ["coach"],
    };
    return await runPipeline({
      agent: "coach",
      repo: "demo",
      files,
      loaded,
      registry,
      now: new Date("2026-11-23T08:00:00Z"),
      format: "json",
      program: "kaizen",
      prepareCommand: "kaizen schedule prepare coach",
      countTokens: false,
      redact: opts.redact ?? fakeRedact,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("boundData: depth, count and size caps; plain JSON values; cycles stop at the depth cap", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  const d = boundData({ runs: 2, deep });
  assert.equal((d.value as { runs: number }).runs, 2);
  assert.match(d.problems.join(), /nested deeper than 32 levels/);
  assert.ok(JSON.stringify(d.value).length < 2_000);

  const many = boundData(Array.from({ length: 20_000 }, (_, i) => i));
  assert.equal((many.value as number[]).length, 10_000);
  assert.match(many.problems.join(), /more than 10000 values/);

  const big = boundData({ text: "x".repeat(300 * 1024) });
  assert.deepEqual(big.value, {
    withheld: true,
    note: "structured data over the size cap was left out",
  });

  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  assert.match(boundData(cyclic).problems.join(), /nested deeper/);

  const odd = boundData({
    when: new Date("2026-01-02T03:04:05Z"),
    f: () => 1,
    n: NaN,
    list: [undefined, 1n, "a\u001b[2Jb"],
    "k\u202eey": true,
  });
  assert.deepEqual(odd.value, {
    when: "2026-01-02T03:04:05.000Z",
    n: null,
    list: [null, null, "ab"],
    key: true,
  });
  assert.deepEqual(odd.problems, []);
});

Deno.test("redactData: every string, keys included, redacted in place with its key as context", async () => {
  const value = {
    runs: 3,
    password: "hunter2hunter2",
    nested: { list: ["ok", "has SECRETabc inside"], SECRETkey: 1 },
  };
  const r = await redactData(value, fakeRedact);
  assert.equal(r.count, 3);
  assert.deepEqual(r.value, {
    runs: 3,
    password: "[REDACTED:fake]",
    nested: { list: ["ok", "has [REDACTED:fake] inside"], "[REDACTED:fake]": 1 },
  });
  assert.deepEqual(Object.keys((r.value as { nested: object }).nested), [
    "list",
    "[REDACTED:fake]",
  ]);
  const top = await redactData("SECRETtop", fakeRedact);
  assert.deepEqual(top, { value: "[REDACTED:fake]", count: 1 });
});

Deno.test("pipeline: a rendered table comes from redacted data, and marker text in input does not hide a secret", async () => {
  const { bundle } = await pipeline([
    section("table", 300, {
      collect: () => ({
        content: "",
        data: { password: "hunter2hunter2", note: "[REDACTED:old] then SECRETnew" },
        render: (data) => {
          const d = data as Record<string, string>;
          return Object.entries(d).map(([k, v]) => `| ${k} | ${v} |`).join("\n");
        },
      }),
    }),
  ]);
  const s = bundle.sections.find((x) => x.id === "table")!;
  assert.equal(
    s.content,
    "| password | [REDACTED:fake] |\n| note | [REDACTED:old] then [REDACTED:fake] |",
  );
  assert.equal(bundle.redactions, 2);
});

Deno.test("pipeline: titles, sources, summary values, warnings and header paths all pass the redactor", async () => {
  const { bundle } = await pipeline([
    section("leaky", 300, {
      title: "Title SECRETt1",
      summaryFields: ["pointers"],
      collect: (ctx) => {
        ctx.warn("warned about SECRETw1\u001b[2J");
        return { content: "body", source: "src/SECRETs1.md", summary: { pointers: ["SECRETp1"] } };
      },
    }),
  ]);
  const s = bundle.sections.find((x) => x.id === "leaky")!;
  assert.equal(s.title, "Title [REDACTED:fake]");
  assert.equal(s.source, "src/[REDACTED:fake].md");
  assert.deepEqual(bundle.pointers, ["[REDACTED:fake]"]);
  assert.deepEqual(bundle.warnings, ["warned about [REDACTED:fake]"]);
  assert.equal(bundle.redactions, 4);
});

Deno.test("pipeline: summary fields come from declarations, not section ids", async () => {
  // A third-party section (any id) that declares has_memory sets it.
  const { bundle } = await pipeline([
    section("team-notes", 250, {
      summaryFields: ["has_memory"],
      collect: () => ({ content: "notes", summary: { has_memory: true } }),
    }),
    // A section called "memory" that declares nothing does not.
    section("memory", 200, { collect: () => ({ content: "x", summary: { has_metrics: true } }) }),
  ]);
  assert.equal(bundle.has_memory, true);
  assert.equal(bundle.has_metrics, false);
  assert.match(bundle.warnings.join(), /summary field 'has_metrics' was not declared/);
  // Wrong types are refused with a warning.
  const typed = await pipeline([
    section("bad", 250, {
      summaryFields: ["pointers"],
      collect: () => ({ content: "", summary: { pointers: "scope" as unknown as string[] } }),
    }),
  ]);
  assert.deepEqual(typed.bundle.pointers, []);
  assert.match(typed.bundle.warnings.join(), /summary field 'pointers' has the wrong type/);
});

Deno.test("registry: two sections may not declare the same summary field; unknown fields are refused", () => {
  const registry = new PluginRegistry();
  registry.add(builtinPlugin, { kind: "builtin" });
  assert.throws(
    () =>
      registry.add({
        name: "rival",
        apiVersion: 1,
        sections: [section("rival", 250, { summaryFields: ["has_memory"] })],
      }, { kind: "embedded" }),
    /declares summary field 'has_memory', already set by section 'memory' of 'builtin'/,
  );
  assert.throws(
    () =>
      new PluginRegistry().add({
        name: "typo",
        apiVersion: 1,
        sections: [
          section("t", 1, { summaryFields: ["has_memroy" as unknown as "has_memory"] }),
        ],
      }, { kind: "embedded" }),
    /unknown summary field 'has_memroy'/,
  );
});

Deno.test("deadline: a section hook that never returns is abandoned with a warning", async () => {
  const started = performance.now();
  const { bundle, pluginFailures } = await pipeline([
    section("stuck", 300, { collect: () => new Promise(() => {}) }),
    section("fine", 400, { collect: () => ({ content: "still here" }) }),
  ], { deadlineMs: 300 });
  assert.ok(performance.now() - started < 5_000);
  assert.equal(pluginFailures, 1);
  assert.match(
    bundle.warnings[0],
    /section 'stuck'.*did not finish within the 0.3 s prepare deadline/,
  );
  // A later section that needs no waiting still makes it in.
  assert.equal(bundle.sections.find((s) => s.id === "fine")?.content, "still here");
});

Deno.test("safe reader: a FIFO is refused without being opened; reads after the deadline are refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-fifo-" });
  try {
    const mk = await new Deno.Command("mkfifo", { args: [`${dir}/pipe`] }).output();
    assert.ok(mk.success);
    await Deno.writeTextFile(`${dir}/a.md`, "hello");
    const files = await createSafeReader(dir);
    assert.deepEqual(await files.readText("pipe"), {
      status: "refused",
      path: "pipe",
      reason: "a FIFO (named pipe), not a regular file",
    });
    const expired = await createSafeReader(dir, undefined, createDeadline(0));
    const r = await expired.readText("a.md");
    assert.equal(r.status, "refused");
    assert.match((r as { reason: string }).reason, /prepare deadline/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("final scan: a renderer leak is caught before any sink, counted, and reported", async () => {
  const { bundle } = await pipeline([section("ok", 300, { collect: () => ({ content: "fine" }) })]);
  // Simulate a renderer bug: a secret that never went through the pipeline.
  const leaky = { ...bundle, sections: [{ ...bundle.sections[0], content: "oops SECRETleak" }] };
  for (const format of ["markdown", "json"] as const) {
    const r = await renderSafely(leaky, format, fakeRedact);
    assert.equal(r.caught, 1);
    assert.ok(!r.text.includes("SECRETleak"), format);
    assert.equal(r.bundle.redactions, bundle.redactions + 1);
    assert.match(r.bundle.warnings.at(-1)!, /final scan of the rendered .* redacted 1 more secret/);
    const received: string[] = [];
    const results = await emitToSinks(r, {
      sinks: [{
        plugin: "t",
        sink: {
          name: "capture",
          emit: (_b, ctx) => {
            received.push(ctx.rendered);
            throw new Error("upload of SECRETerr failed");
          },
        },
      }],
      format,
      redact: fakeRedact,
      report: (m) => received.push(m),
    });
    assert.equal(results.filter((x) => !x.ok).length, 1);
    assert.ok(!JSON.stringify(results).includes("SECRET"), JSON.stringify(results));
    assert.ok(!received.join("\n").includes("SECRET"), received.join("\n"));
  }
  const clean = await renderSafely(bundle, "json", fakeRedact);
  assert.equal(clean.caught, 0);
});

Deno.test("printable and stripControl: C0/C1 controls, CR and bidi controls", () => {
  assert.equal(
    stripControl("a\r\nb\rc\u202ed\u2066e\u2069\u200ef\tg\u0085h\u001b"),
    "a\nbcdef\tgh",
  );
  // Escape sequences go whole: their parameters are not content, and a token
  // glued to "[31m" would hide from the redactor's word boundaries.
  assert.equal(
    stripControl("\u001b[1;31mred\u001b[0m \u001b]0;title\u0007t \u009b2Jx \u001bMy"),
    "red t x y",
  );
  assert.equal(printable("x\u202ey\r"), "x\\u202ey\\u000d");
});

Deno.test("packaged prompt hashes: generated at build time, not stale, and scan clean", async () => {
  assert.equal(
    await Deno.readTextFile(HASHES_FILE),
    await generate(),
    "core/agents/packaged_hashes.generated.ts is stale: run deno task bundle",
  );
  for (const [name, text] of Object.entries(PACKAGED_AGENTS)) {
    const clean = stripControl(text);
    const hash = await sha256Hex(clean);
    assert.ok(PACKAGED_PROMPTS.some((p) => p.sha256 === hash && p.length === clean.length), name);
  }
});

Deno.test("pipeline: a render hook that throws or returns a non-string is a failure; its summary is dropped", async () => {
  for (
    const render of [() => {
      throw new Error("bad table");
    }, () => 42 as unknown as string]
  ) {
    const { bundle, pluginFailures } = await pipeline([
      section("team-memory", 250, {
        summaryFields: ["has_memory"],
        collect: () => ({ content: "", data: { a: 1 }, render, summary: { has_memory: true } }),
      }),
    ]);
    assert.equal(pluginFailures, 1);
    assert.equal(bundle.has_memory, false);
    const s = bundle.sections.find((x) => x.id === "team-memory")!;
    assert.equal(s.status, "warning");
    assert.match(
      bundle.warnings[0],
      /hook render \(section 'team-memory'\): (bad table|render\(\) must return a string)/,
    );
  }
});
