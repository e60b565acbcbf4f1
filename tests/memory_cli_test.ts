/**
 * `kaizen memory init | show | add`, through the command tree in process
 * (parsing, options, exit codes and messages as `main` renders them) and
 * through `core/state/memory.ts` directly (formatting, locking, containment).
 *
 * @module
 */
import assert from "node:assert/strict";
import { type CommandSpec, parseArgv, UsageError } from "../core/cli/framework.ts";
import { CliError } from "../core/cli/io.ts";
import { memoryCommand, memoryCommandWith, type MemoryIo } from "../core/commands/memory.ts";
import { TARGET } from "../core/commands/options.ts";
import {
  appendMemoryNote,
  entryFor,
  formatItem,
  MAX_NOTE_BYTES,
  memoryTemplate,
  readMemory,
} from "../core/state/memory.ts";
import { REPO_ROOT, tempRepo } from "./_cli.ts";
import { ALNUM, fake } from "./_fake_secrets.ts";

const MEMORY = ".kaizen/agents/coach/memory.md";
const NOW = "2026-11-22T23:30:00-02:00"; // 2026-11-23 in UTC

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `kaizen <argv>` against the memory group in process, rendering
 * errors the way `main` in cli.ts does (usage errors exit 2).
 */
async function kaizen(
  argv: string[],
  opts: { stdin?: string | Uint8Array; terminal?: boolean } = {},
): Promise<Run> {
  let out = "";
  let err = "";
  const io: MemoryIo = {
    out: (t) => void (out += t),
    notice: (m) => void (err += `kaizen: notice: ${m}\n`),
    stdinIsTerminal: () => opts.terminal ?? opts.stdin === undefined,
    readStdin: (limit) => {
      const s = opts.stdin ?? "";
      const bytes = typeof s === "string" ? new TextEncoder().encode(s) : s;
      return Promise.resolve(bytes.subarray(0, limit + 1));
    },
  };
  const tree: CommandSpec = {
    name: "kaizen",
    description: "",
    subcommands: [memoryCommandWith(io)],
  };
  try {
    const outcome = parseArgv(tree, argv);
    assert.equal(outcome.kind, "run");
    if (outcome.kind !== "run") throw new Error("unreachable");
    return { code: await outcome.command.run!(outcome.invocation), stdout: out, stderr: err };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, stdout: out, stderr: `${err}${e.message}\n` };
    if (e instanceof CliError) {
      return { code: e.exitCode, stdout: out, stderr: `${err}${e.message}\n` };
    }
    throw e;
  }
}

async function withRepo(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempRepo({ "README.md": "# widgets\n" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("memoryCommand is a group named memory with init, show and add", () => {
  assert.equal(memoryCommand.name, "memory");
  assert.deepEqual(memoryCommand.subcommands?.map((c) => c.name), ["init", "show", "add"]);
  for (const c of memoryCommand.subcommands ?? []) {
    assert.equal(typeof c.run, "function");
    assert.ok(c.options?.includes(TARGET), "the shared --target (default '.')");
  }
});

Deno.test("formatItem: one list item, continuation lines indented two spaces", () => {
  assert.equal(formatItem("first\nsecond\n\n- sub"), "- first\n  second\n\n  - sub\n");
});

Deno.test("entryFor: a new UTC day opens a dated section; the same day adds an item", () => {
  const now = new Date(NOW);
  assert.equal(entryFor("# Memory — coach\n", "a", now), "\n## 2026-11-23\n\n- a\n");
  assert.equal(entryFor("# Memory — coach\n\n", "a", now), "## 2026-11-23\n\n- a\n");
  assert.equal(entryFor("# M\n\n## 2026-11-23\n\n- a\n", "b", now), "- b\n");
  // An older day, or a file in the old shape, continues with a new section.
  assert.equal(entryFor("# M\n\n## 2026-11-16\n\n- a\n", "b", now), "\n## 2026-11-23\n\n- b\n");
  assert.equal(
    entryFor("# Memory: coach\n\n## Notes\n\n- 2026-11-20: x\n", "b", now),
    "\n## 2026-11-23\n\n- b\n",
  );
});

Deno.test("init scaffolds the template, refuses to overwrite, --force replaces", async () => {
  await withRepo(async (dir) => {
    const first = await kaizen(["memory", "init", "coach", "--target", dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `created ${MEMORY}\n`);
    const text = await Deno.readTextFile(`${dir}/${MEMORY}`);
    assert.equal(text, memoryTemplate("coach"));
    assert.match(text, /^# Memory — coach\n/);
    assert.match(text, /kaizen memory add coach/);
    assert.match(text, /`## YYYY-MM-DD` section per day/);

    await Deno.writeTextFile(`${dir}/${MEMORY}`, "# mine\n- keep me\n");
    const again = await kaizen(["memory", "init", "coach", "--target", dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; not overwriting \(pass --force/);
    assert.equal(await Deno.readTextFile(`${dir}/${MEMORY}`), "# mine\n- keep me\n");

    const forced = await kaizen(["memory", "init", "coach", "--target", dir, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stdout, `replaced ${MEMORY}\n`);
    assert.equal(await Deno.readTextFile(`${dir}/${MEMORY}`), memoryTemplate("coach"));
  });
});

Deno.test("add appends dated entries in order, creating the file with the template", async () => {
  await withRepo(async (dir) => {
    const a = await kaizen([
      "memory",
      "add",
      "coach",
      "run deno task bundle first",
      "--target",
      dir,
      "--now",
      NOW,
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, `created ${MEMORY}\n`);
    assert.equal(a.stderr, "");
    const b = await kaizen([
      "memory",
      "add",
      "coach",
      "  flaky test: nats_publish\n  retried twice  \n",
      "--target",
      dir,
      "--now",
      "2026-11-24T08:00:00Z",
    ]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, `updated ${MEMORY}\n`);
    assert.equal(
      await Deno.readTextFile(`${dir}/${MEMORY}`),
      memoryTemplate("coach") +
        "\n## 2026-11-23\n\n- run deno task bundle first\n" +
        "\n## 2026-11-24\n\n- flaky test: nats_publish\n    retried twice\n",
    );
    const shown = await kaizen(["memory", "show", "coach", "--target", dir]);
    assert.equal(shown.code, 0);
    assert.equal(shown.stdout, await Deno.readTextFile(`${dir}/${MEMORY}`));
  });
});

Deno.test("add keeps a hand-written file and ends its last line before appending", async () => {
  await withRepo(async (dir) => {
    await Deno.mkdir(`${dir}/.kaizen/agents/coach`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${MEMORY}`, "# Notes\n- 2026-01-01: old");
    const r = await kaizen(["memory", "add", "coach", "new", "--target", dir, "--now", NOW]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      await Deno.readTextFile(`${dir}/${MEMORY}`),
      "# Notes\n- 2026-01-01: old\n\n## 2026-11-23\n\n- new\n",
    );
  });
});

Deno.test("a secret in the note is redacted before it is written, with a notice", async () => {
  await withRepo(async (dir) => {
    const token = "ghp_" + fake(36, ALNUM, 11);
    const r = await kaizen([
      "memory",
      "add",
      "coach",
      `the CI token is ${token}, rotate it`,
      "--target",
      dir,
      "--now",
      NOW,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "kaizen: notice: redacted 1 secret(s) from the note\n");
    const text = await Deno.readTextFile(`${dir}/${MEMORY}`);
    assert.ok(!text.includes(token), "the token reached the file");
    assert.ok(!text.includes(token.slice(4)), "part of the token reached the file");
    assert.match(text, /## 2026-11-23\n\n- the CI token is \[REDACTED:[a-z0-9-]+\], rotate it\n$/);
    // Nothing else under .kaizen holds it either (no temporary or lock file left).
    for await (const e of Deno.readDir(`${dir}/.kaizen/agents/coach`)) {
      assert.equal(e.name, "memory.md");
    }
  });
});

Deno.test("a control character cannot split a secret past the redactor", async () => {
  await withRepo(async (dir) => {
    const token = "ghp_" + fake(36, ALNUM, 12);
    const hidden = `${token.slice(0, 10)}\u0007${token.slice(10)}\u001b[2J`;
    const r = await appendMemoryNote(dir, "coach", hidden, new Date(NOW));
    assert.ok(r.ok);
    assert.equal(r.redactions, 1);
    const text = await Deno.readTextFile(`${dir}/${MEMORY}`);
    assert.ok(!text.includes(token.slice(10)));
    assert.ok(!text.includes("\u0007") && !text.includes("\u001b"), "control characters kept");
  });
});

Deno.test("the note can come from stdin, absent or as '-'", async () => {
  await withRepo(async (dir) => {
    const a = await kaizen(["memory", "add", "coach", "--target", dir, "--now", NOW], {
      stdin: "from a pipe\nsecond line\n",
    });
    assert.equal(a.code, 0, a.stderr);
    const b = await kaizen(["memory", "add", "coach", "-", "--target", dir, "--now", NOW], {
      stdin: "dash means stdin",
    });
    assert.equal(b.code, 0, b.stderr);
    const text = await Deno.readTextFile(`${dir}/${MEMORY}`);
    assert.ok(
      text.endsWith("## 2026-11-23\n\n- from a pipe\n  second line\n- dash means stdin\n"),
    );
    // A terminal is never read: exit 2 with the usage, nothing written.
    const c = await kaizen(["memory", "add", "coach", "--target", dir], { terminal: true });
    assert.equal(c.code, 2);
    assert.match(c.stderr, /give the note as an argument, or pipe it on stdin/);
    // Bytes that are not UTF-8 are refused, not mangled into the file.
    const before = await Deno.readTextFile(`${dir}/${MEMORY}`);
    const bad = await kaizen(["memory", "add", "coach", "--target", dir], {
      stdin: new Uint8Array([0x6e, 0xff, 0xfe, 0x6f]),
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not valid UTF-8/);
    assert.equal(await Deno.readTextFile(`${dir}/${MEMORY}`), before);
  });
});

Deno.test("a note starting with '-' is a note, not an option", async () => {
  await withRepo(async (dir) => {
    const plain = await kaizen([
      "memory",
      "add",
      "coach",
      "- learned x",
      "--target",
      dir,
      "--now",
      NOW,
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    const dashed = await kaizen([
      "memory",
      "add",
      "coach",
      "--target",
      dir,
      "--now",
      NOW,
      "--",
      "-v is verbose",
    ]);
    assert.equal(dashed.code, 0, dashed.stderr);
    assert.ok(
      (await Deno.readTextFile(`${dir}/${MEMORY}`)).endsWith(
        "## 2026-11-23\n\n- - learned x\n- -v is verbose\n",
      ),
    );
  });
});

Deno.test("empty and oversized notes are usage errors and write nothing", async () => {
  await withRepo(async (dir) => {
    for (const note of ["", "   \n\t\n", "\u0007\u001b"]) {
      const r = await kaizen(["memory", "add", "coach", note, "--target", dir]);
      assert.equal(r.code, 2, JSON.stringify(note));
      assert.match(r.stderr, /the note is empty/);
    }
    const big = "x".repeat(MAX_NOTE_BYTES + 1);
    const r = await kaizen(["memory", "add", "coach", big, "--target", dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${MAX_NOTE_BYTES + 1} bytes, over the ${MAX_NOTE_BYTES}`));
    const piped = await kaizen(["memory", "add", "coach", "--target", dir], { stdin: big });
    assert.equal(piped.code, 2);
    assert.equal(await exists(`${dir}/.kaizen`), false);
    // Exactly the limit is fine.
    const ok = await kaizen([
      "memory",
      "add",
      "coach",
      "y".repeat(MAX_NOTE_BYTES),
      "--target",
      dir,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
  });
});

Deno.test("an unknown agent exits 1 with a suggestion and writes nothing", async () => {
  await withRepo(async (dir) => {
    for (const argv of [["init", "coahc"], ["show", "coahc"], ["add", "coahc", "note"]]) {
      const r = await kaizen(["memory", ...argv, "--target", dir]);
      assert.equal(r.code, 1, argv.join(" "));
      assert.match(
        r.stderr,
        /unknown agent 'coahc' \(did you mean 'coach'\?\); known agents: .*coach/,
      );
    }
    const bad = await kaizen(["memory", "add", "../etc", "note", "--target", dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown agent '\.\.\/etc'/);
    assert.equal(await exists(`${dir}/.kaizen`), false);
  });
});

Deno.test("an installed agent is known", async () => {
  await withRepo(async (dir) => {
    await Deno.mkdir(`${dir}/agents`);
    await Deno.writeTextFile(`${dir}/agents/agent-release-notes.md`, "# Release notes\n");
    const r = await kaizen(["memory", "init", "release-notes", "--target", dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(await exists(`${dir}/.kaizen/agents/release-notes/memory.md`));
  });
});

Deno.test("show: a missing file exits 1 with a hint; control characters are stripped", async () => {
  await withRepo(async (dir) => {
    const r = await kaizen(["memory", "show", "coach", "--target", dir]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`${MEMORY} does not exist; create it with 'kaizen memory init coach --target `),
    );
    await Deno.mkdir(`${dir}/.kaizen/agents/coach`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${MEMORY}`, "# M\n- a\u001b[2J lesson\u202e\r\n- no newline");
    const s = await kaizen(["memory", "show", "coach", "--target", dir]);
    assert.equal(s.code, 0);
    assert.equal(s.stdout, "# M\n- a lesson\n- no newline\n");
  });
});

Deno.test("bad --target and --now are usage errors", async () => {
  const r = await kaizen(["memory", "show", "coach", "--target", "/nonexistent/kaizen-repo"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /does not exist/);
  await withRepo(async (dir) => {
    const n = await kaizen(["memory", "add", "coach", "x", "--target", dir, "--now", "tuesday"]);
    assert.equal(n.code, 2);
    assert.match(n.stderr, /--now 'tuesday' is not an ISO 8601/);
    assert.equal(await exists(`${dir}/.kaizen`), false);
  });
});

Deno.test("a memory file symlinked out of the repo is refused and left alone", async () => {
  await withRepo(async (dir) => {
    const outside = await Deno.makeTempDir({ prefix: "kaizen-outside-" });
    try {
      await Deno.writeTextFile(`${outside}/secret.md`, "outside\n");
      await Deno.mkdir(`${dir}/.kaizen/agents/coach`, { recursive: true });
      await Deno.symlink(`${outside}/secret.md`, `${dir}/${MEMORY}`);
      for (
        const argv of [
          ["add", "coach", "note"],
          ["show", "coach"],
          ["init", "coach", "--force"],
        ]
      ) {
        const r = await kaizen(["memory", ...argv, "--target", dir]);
        assert.equal(r.code, 1, argv.join(" "));
        assert.match(
          r.stderr,
          /memory\.md[^\n]* symlink (leading|resolves) outside the repository/,
        );
        assert.equal(r.stdout, "");
      }
      assert.equal(await Deno.readTextFile(`${outside}/secret.md`), "outside\n");
      assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["secret.md"]);
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});

Deno.test("a .kaizen symlinked out of the repo is refused; nothing is created outside", async () => {
  await withRepo(async (dir) => {
    const outside = await Deno.makeTempDir({ prefix: "kaizen-outside-" });
    try {
      await Deno.symlink(outside, `${dir}/.kaizen`);
      for (const argv of [["add", "coach", "note"], ["init", "coach"], ["show", "coach"]]) {
        const r = await kaizen(["memory", ...argv, "--target", dir]);
        assert.equal(r.code, 1, argv.join(" "));
        assert.match(r.stderr, /\.kaizen[^\n]* symlink (leading|resolves) outside the repository/);
      }
      assert.deepEqual([...Deno.readDirSync(outside)], []);
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});

Deno.test("a memory file symlinked inside the repo is written through", async () => {
  await withRepo(async (dir) => {
    await Deno.mkdir(`${dir}/.kaizen/agents/coach`, { recursive: true });
    await Deno.mkdir(`${dir}/notes`);
    await Deno.writeTextFile(`${dir}/notes/coach.md`, "# shared\n");
    await Deno.symlink("../../../notes/coach.md", `${dir}/${MEMORY}`);
    const r = await appendMemoryNote(dir, "coach", "via link", new Date(NOW));
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok((await Deno.lstat(`${dir}/${MEMORY}`)).isSymlink, "the link was replaced");
    assert.equal(
      await Deno.readTextFile(`${dir}/notes/coach.md`),
      "# shared\n\n## 2026-11-23\n\n- via link\n",
    );
  });
});

Deno.test("20 concurrent appends: every entry exactly once, file well-formed", async () => {
  await withRepo(async (dir) => {
    const notes = Array.from({ length: 20 }, (_, i) => `note number ${i}`);
    const results = await Promise.all(
      notes.map((n) => appendMemoryNote(dir, "coach", n, new Date(NOW))),
    );
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok)));
    assert.equal(results.filter((r) => r.ok && r.created).length, 1);
    const text = await Deno.readTextFile(`${dir}/${MEMORY}`);
    assert.ok(text.startsWith(memoryTemplate("coach")), "header kept once, at the top");
    const body = text.slice(memoryTemplate("coach").length).split("\n");
    assert.equal(body.pop(), "");
    assert.deepEqual(body.slice(0, 3), ["", "## 2026-11-23", ""]);
    const items = body.slice(3);
    assert.equal(items.length, 20);
    for (const line of items) assert.match(line, /^- note number \d+$/);
    for (const n of notes) assert.equal(items.filter((l) => l === `- ${n}`).length, 1, n);
    assert.equal(await exists(`${dir}/${MEMORY}.lock`), false);
  });
});

Deno.test("concurrent appends from separate processes are serialised by the lock", async () => {
  await withRepo(async (dir) => {
    const script = `${dir}/append.ts`;
    await Deno.writeTextFile(
      script,
      `import { appendMemoryNote } from ${JSON.stringify(`${REPO_ROOT}/core/state/memory.ts`)};
const r = await appendMemoryNote(Deno.args[0], "coach", "from process " + Deno.args[1], new Date());
if (!r.ok) { console.error(r.message); Deno.exit(1); }
`,
    );
    const procs = Array.from({ length: 8 }, (_, i) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-check", "--allow-read", "--allow-write", script, dir, String(i)],
        cwd: REPO_ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output());
    const outs = await Promise.all(procs);
    for (const o of outs) assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
    const r = await readMemory(dir, "coach");
    assert.ok(r.ok);
    for (let i = 0; i < 8; i++) {
      assert.equal(r.text.split("\n").filter((l) => l === `- from process ${i}`).length, 1);
    }
    assert.equal(r.text.split(memoryTemplate("coach")).length, 2, "one header");
  });
});

Deno.test("a lock file left by an older kaizen does not block; a stuck holder is reported as busy", async () => {
  await withRepo(async (dir) => {
    await Deno.mkdir(`${dir}/.kaizen/agents/coach`, { recursive: true });
    // Older versions locked with an O_EXCL file; one left behind means nothing now.
    await Deno.writeTextFile(`${dir}/${MEMORY}.lock`, "12345 now\n");
    const a = await appendMemoryNote(dir, "coach", "after a crash", new Date(NOW));
    assert.ok(a.ok, JSON.stringify(a));

    // A live process holding the folder's lock without making progress.
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const f = await Deno.open(${
          JSON.stringify(`${dir}/.kaizen/agents/coach`)
        }, { read: true });
         await f.lock(true); console.log("held"); await new Promise((r) => setTimeout(r, 60_000));`,
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const reader = holder.stdout.getReader();
      await reader.read();
      reader.releaseLock();
      const before = await Deno.readTextFile(`${dir}/${MEMORY}`);
      const b = await appendMemoryNote(dir, "coach", "blocked", new Date(NOW), {
        lock: { stallMs: 200 },
      });
      assert.ok(!b.ok);
      assert.equal(b.code, "busy");
      assert.match(b.message, /held by a process that made no progress/);
      assert.equal(await Deno.readTextFile(`${dir}/${MEMORY}`), before);
    } finally {
      holder.kill("SIGKILL");
      await holder.status;
      await holder.stdout.cancel().catch(() => {});
    }
  });
});

Deno.test("a large memory file gets a notice; an oversized one is refused untouched", async () => {
  await withRepo(async (dir) => {
    await Deno.mkdir(`${dir}/.kaizen/agents/coach`, { recursive: true });
    const big = `${"- 2026-01-01: filler\n".repeat(60_000)}`; // ≈ 1.2 MB
    await Deno.writeTextFile(`${dir}/${MEMORY}`, big);
    const r = await kaizen(["memory", "add", "coach", "one more", "--target", dir, "--now", NOW]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /over the 1048576 bytes 'schedule prepare' reads by default/);

    const huge = big.repeat(4);
    await Deno.writeTextFile(`${dir}/${MEMORY}`, huge);
    const h = await kaizen(["memory", "add", "coach", "no room", "--target", dir]);
    assert.equal(h.code, 1);
    assert.match(h.stderr, /over the 4194304-byte cap; trim its oldest entries/);
    assert.equal((await Deno.stat(`${dir}/${MEMORY}`)).size, huge.length);
  });
});
