/**
 * Unit tests of the CLI framework (`parseArgv`, `renderHelp`), suggestions,
 * path helpers and atomic writes.
 */
import assert from "node:assert/strict";
import {
  type CommandSpec,
  type Invocation,
  parseArgv,
  renderHelp,
  UsageError,
} from "../core/cli/framework.ts";
import { didYouMean, editDistance, suggest } from "../core/text/suggest.ts";
import {
  basename,
  dirname,
  isInside,
  join,
  normalize,
  relative,
  resolve,
} from "../core/fs/paths.ts";
import { writeFileAtomic, writeFileAtomicNew } from "../core/fs/atomic.ts";

const run = () => Promise.resolve(0);

const TREE: CommandSpec = {
  name: "tool",
  description: "A test tool.",
  subcommands: [
    {
      name: "things",
      description: "Work with things",
      subcommands: [
        {
          name: "make",
          description: "Make a thing",
          options: [
            {
              name: "target",
              type: "string",
              valueName: "PATH",
              description: "Where",
              default: ".",
            },
            { name: "force", type: "boolean", short: "f", description: "Overwrite" },
            {
              name: "format",
              type: "string",
              choices: ["text", "json"],
              default: "text",
              description: "Output format",
            },
            { name: "count", type: "string", description: "How many" },
          ],
          run,
        },
        { name: "list", description: "List things", run },
      ],
    },
    {
      name: "say",
      description: "Say a word",
      args: [
        { name: "word", description: "What to say", required: true },
        { name: "extra", description: "More", required: false },
      ],
      epilog: "Example: tool say hello",
      run,
    },
  ],
};

function invocation(argv: string[]): Invocation {
  const out = parseArgv(TREE, argv);
  assert.equal(out.kind, "run", `expected a run for ${argv.join(" ")}`);
  return (out as { invocation: Invocation }).invocation;
}

function usageError(argv: string[]): UsageError {
  try {
    parseArgv(TREE, argv);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err;
  }
  assert.fail(`expected a UsageError for ${JSON.stringify(argv)}`);
}

// --- parseArgv ---------------------------------------------------------------

Deno.test("parseArgv resolves a leaf and applies defaults", () => {
  const inv = invocation(["things", "make"]);
  assert.deepEqual(inv.path, ["things", "make"]);
  assert.deepEqual(inv.args, []);
  assert.deepEqual(
    inv.opts,
    { target: ".", force: false, format: "text" },
    "an absent flag is false",
  );
});

Deno.test("parseArgv reads --opt value, --opt=value, booleans and short flags", () => {
  assert.deepEqual(invocation(["things", "make", "--target", "x", "--format=json", "-f"]).opts, {
    target: "x",
    format: "json",
    force: true,
  });
  assert.equal(invocation(["things", "make", "--count=a=b"]).opts.count, "a=b");
  assert.equal(invocation(["things", "make", "--target", "-"]).opts.target, "-");
});

Deno.test("parseArgv: the last occurrence of an option wins", () => {
  assert.equal(invocation(["things", "make", "--target", "a", "--target", "b"]).opts.target, "b");
});

Deno.test("parseArgv: positional arguments and --", () => {
  assert.deepEqual(invocation(["say", "hi"]).args, ["hi"]);
  assert.deepEqual(invocation(["say", "hi", "there"]).args, ["hi", "there"]);
  assert.deepEqual(invocation(["say", "--", "--help"]).args, ["--help"]);
});

Deno.test("parseArgv: help and version outcomes", () => {
  assert.deepEqual(parseArgv(TREE, []), { kind: "help", command: TREE, path: [] });
  assert.equal(parseArgv(TREE, ["--version"]).kind, "version");
  assert.equal(parseArgv(TREE, ["-V"]).kind, "version");
  const group = parseArgv(TREE, ["things"]);
  assert.equal(group.kind, "help");
  assert.deepEqual((group as { path: string[] }).path, ["things"]);
  const leaf = parseArgv(TREE, ["things", "make", "--target", "x", "--help"]);
  assert.equal(leaf.kind, "help");
  assert.deepEqual((leaf as { path: string[] }).path, ["things", "make"]);
  const viaHelp = parseArgv(TREE, ["help", "things", "make"]);
  assert.equal(viaHelp.kind, "help");
  assert.deepEqual((viaHelp as { path: string[] }).path, ["things", "make"]);
  assert.equal(parseArgv(TREE, ["things", "-h"]).kind, "help");
});

Deno.test("parseArgv: --version is only a root flag", () => {
  const err = usageError(["things", "--version"]);
  assert.match(err.message, /unknown option '--version'/);
});

Deno.test("parseArgv: unknown command suggests the nearest one", () => {
  const err = usageError(["thigns"]);
  assert.match(err.message, /unknown command 'thigns'/);
  assert.match(err.message, /expected one of: things, say/);
  const near = usageError(["thing"]);
  assert.match(near.message, /did you mean 'things'\?/);
  const nested = usageError(["things", "mak"]);
  assert.match(nested.message, /unknown command 'mak' \(did you mean 'make'\?\)/);
  assert.deepEqual(nested.helpPath, ["things"]);
  assert.match(usageError(["help", "thing"]).message, /did you mean 'things'/);
});

Deno.test("parseArgv: unknown option suggests the nearest flag", () => {
  const err = usageError(["things", "make", "--taget", "x"]);
  assert.equal(err.message, "unknown option '--taget' (did you mean '--target'?)");
  assert.deepEqual(err.helpPath, ["things", "make"]);
  assert.match(usageError(["things", "make", "--hlep"]).message, /did you mean '--help'/);
  assert.match(usageError(["things", "make", "-x"]).message, /unknown option '-x'/);
});

Deno.test("parseArgv: option value errors", () => {
  assert.match(
    usageError(["things", "make", "--target"]).message,
    /option '--target' needs a value \(PATH\)/,
  );
  assert.match(usageError(["things", "make", "--target", "--force"]).message, /needs a value/);
  assert.match(usageError(["things", "make", "--force=yes"]).message, /takes no value/);
  assert.equal(
    usageError(["things", "make", "--format", "jsn"]).message,
    "option '--format' must be one of text, json, got 'jsn' (did you mean 'json'?)",
  );
});

Deno.test("parseArgv: argument count errors", () => {
  assert.equal(usageError(["say"]).message, "missing argument <word>");
  assert.equal(usageError(["say", "a", "b", "c"]).message, "unexpected argument 'c'");
  assert.equal(usageError(["things", "list", "x"]).message, "unexpected argument 'x'");
});

// --- renderHelp --------------------------------------------------------------

Deno.test("renderHelp: root lists commands, --version and --help", () => {
  const help = renderHelp("tool", TREE, []);
  assert.ok(help.startsWith("Usage: tool <command> [options]\n\nA test tool.\n"), help);
  assert.match(help, /^ {2}things {2,}Work with things$/m);
  assert.match(help, /^ {2}say {2,}Say a word$/m);
  assert.match(help, /-V, --version +Print the version/);
  assert.match(help, /-h, --help +Show help for this command/);
  assert.match(help, /Run 'tool <command> --help' for a command's options\./);
  assert.ok(help.endsWith("\n"));
});

Deno.test("renderHelp: a leaf shows options with value names, choices and defaults", () => {
  const make = TREE.subcommands![0].subcommands![0];
  const help = renderHelp("tool", make, ["things", "make"]);
  assert.match(help, /^Usage: tool things make \[options\]$/m);
  assert.match(help, /--target <PATH> +Where \(default: \.\)/);
  assert.match(help, /-f, --force +Overwrite$/m);
  assert.match(help, /--format <text\|json> +Output format \(default: text\)/);
  assert.match(help, /--count <VALUE> +How many/);
  assert.doesNotMatch(help, /--version/);
  // Descriptions line up in one column.
  const starts = help.split("\n").filter((l) => /^ {2}(-\w, |\s{4})--/.test(l))
    .map((l) => l.search(/ {2}\S[^-]*$/));
  assert.equal(starts.length, 5);
  assert.equal(new Set(starts).size, 1, `misaligned:\n${help}`);
});

Deno.test("renderHelp: arguments and epilog", () => {
  const say = TREE.subcommands![1];
  const help = renderHelp("tool", say, ["say"]);
  assert.match(help, /^Usage: tool say <word> \[extra\] \[options\]$/m);
  assert.match(help, /Arguments:\n {2}word {2,}What to say\n {2}extra {2,}More/);
  assert.ok(help.trimEnd().endsWith("Example: tool say hello"));
});

// --- suggest / didYouMean ----------------------------------------------------

Deno.test("editDistance", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("abc", "abc"), 0);
  assert.equal(editDistance("cadance", "cadence"), 1);
});

Deno.test("suggest finds plausible typos only", () => {
  assert.equal(suggest("cadance", ["cadence", "cron", "enabled"]), "cadence");
  assert.equal(suggest("timezon", ["version", "timezone", "agents"]), "timezone");
  assert.equal(suggest("enabeld", ["cadence", "cron", "enabled"]), "enabled");
  assert.equal(suggest("schedul", ["schedule", "completions"]), "schedule");
  assert.equal(suggest("Weekly", ["daily", "weekly", "monthly"]), "weekly");
  assert.equal(suggest("priority", ["cadence", "cron", "enabled"]), undefined);
  assert.equal(suggest("xyz", ["cron"]), undefined);
  assert.equal(suggest("anything", []), undefined);
});

Deno.test("suggest breaks ties alphabetically, whatever the candidate order", () => {
  assert.equal(suggest("bat", ["hat", "cat"]), "cat");
  assert.equal(suggest("bat", ["cat", "hat"]), "cat");
});

// Swapped neighbours are the commonest typo; plain Levenshtein counts them as
// two edits, which exceeds the limit for short words (lsit, jsno, coahc).
Deno.test("suggest treats swapped adjacent letters as one edit", () => {
  assert.equal(suggest("lsit", ["init", "validate", "list"]), "list");
  assert.equal(suggest("jsno", ["text", "json"]), "json");
  assert.equal(suggest("coahc", ["coach", "optimization", "tdd-workflow"]), "coach");
});

Deno.test("didYouMean formats the hint or nothing", () => {
  assert.equal(didYouMean("cadance", ["cadence"]), " (did you mean 'cadence'?)");
  assert.equal(didYouMean("zzz", ["cadence"]), "");
});

// --- paths -------------------------------------------------------------------

Deno.test("paths: normalize", () => {
  assert.equal(normalize(""), ".");
  assert.equal(normalize("a//b/./c/"), "a/b/c");
  assert.equal(normalize("/a/../../b"), "/b");
  assert.equal(normalize("a/../../b"), "../b");
  assert.equal(normalize("./"), ".");
  assert.equal(normalize("/"), "/");
});

Deno.test("paths: join and resolve", () => {
  assert.equal(join("a", "", "b"), "a/b");
  assert.equal(join("/a", "../b", "c"), "/b/c");
  assert.equal(join(".", ".kaizen/schedule.yml"), ".kaizen/schedule.yml");
  assert.equal(resolve("x/y", "/base"), "/base/x/y");
  assert.equal(resolve("/abs", "/base"), "/abs");
  assert.equal(resolve("..", "/base/dir"), "/base");
  assert.equal(resolve("."), normalize(Deno.cwd()));
});

Deno.test("paths: dirname and basename", () => {
  assert.equal(dirname("/a/b/c.txt"), "/a/b");
  assert.equal(dirname("/a"), "/");
  assert.equal(dirname("a"), ".");
  assert.equal(dirname("/a/b/"), "/a");
  assert.equal(basename("/a/b/c.txt"), "c.txt");
  assert.equal(basename("/a/b/"), "b");
  assert.equal(basename("c"), "c");
});

Deno.test("paths: isInside", () => {
  assert.equal(isInside("/a/b", "/a/b"), true);
  assert.equal(isInside("/a/b", "/a/b/c"), true);
  assert.equal(isInside("/a/b", "/a/bc"), false);
  assert.equal(isInside("/a/b", "/a/b/../c"), false);
  assert.equal(isInside("/", "/x"), true);
});

Deno.test("paths: relative", () => {
  assert.equal(relative("/a/b", "/a/c/d"), "../c/d");
  assert.equal(relative("/a/b", "/a/b"), ".");
  assert.equal(relative("/a", "/a/b/c"), "b/c");
  assert.equal(relative("/a/b/c", "/"), "../../..");
});

// --- atomic writes -----------------------------------------------------------

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("writeFileAtomic creates, then replaces, leaving no temporary files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-atomic-" });
  try {
    const path = `${dir}/file.txt`;
    await writeFileAtomic(path, "first\n");
    assert.equal(await Deno.readTextFile(path), "first\n");
    await writeFileAtomic(path, new TextEncoder().encode("second\n"));
    assert.equal(await Deno.readTextFile(path), "second\n");
    assert.deepEqual(await listDir(dir), ["file.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic honours mode", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-atomic-" });
  try {
    await writeFileAtomic(`${dir}/secret`, "x", { mode: 0o600 });
    assert.equal((await Deno.stat(`${dir}/secret`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic failure leaves no temporary file and the old state", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-atomic-" });
  try {
    await Deno.mkdir(`${dir}/taken`);
    await Deno.writeTextFile(`${dir}/taken/inner`, "keep");
    await assert.rejects(writeFileAtomic(`${dir}/taken`, "data"));
    assert.deepEqual(await listDir(dir), ["taken"]);
    assert.equal(await Deno.readTextFile(`${dir}/taken/inner`), "keep");
    await assert.rejects(writeFileAtomic(`${dir}/missing/file`, "data"), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomicNew creates once and refuses to replace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-atomic-" });
  try {
    const path = `${dir}/new.txt`;
    await writeFileAtomicNew(path, "one");
    await assert.rejects(writeFileAtomicNew(path, "two"), Deno.errors.AlreadyExists);
    assert.equal(await Deno.readTextFile(path), "one");
    assert.deepEqual(await listDir(dir), ["new.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("arguments and option values that start with '-' but are not option-shaped", () => {
  // A note ("- learned x") or a negative number is data, not an option.
  assert.deepEqual(invocation(["say", "- learned x"]).args, ["- learned x"]);
  assert.deepEqual(invocation(["say", "-5", "-"]).args, ["-5", "-"]);
  assert.equal(invocation(["things", "make", "--target", "- odd"]).opts.target, "- odd");
  assert.throws(() => invocation(["things", "make", "-q"]), /unknown option '-q'/);
});

Deno.test("numeric options are checked by the parser, with their range, once", () => {
  const tree: CommandSpec = {
    name: "tool",
    description: "A test tool.",
    subcommands: [{
      name: "rate",
      description: "Rate",
      options: [
        { name: "quality", type: "number", description: "0-1", min: 0, max: 1 },
        { name: "count", type: "integer", description: "n", min: 1 },
      ],
      run,
    }],
  };
  const ok = parseArgv(tree, ["rate", "--quality", "0.75", "--count", "3"]);
  assert.equal(ok.kind, "run");
  assert.deepEqual(ok.kind === "run" && ok.invocation.opts, { quality: 0.75, count: 3 });
  for (
    const [argv, message] of [
      [["--quality", "1.5"], /option '--quality' must be a number from 0 to 1, got '1.5'/],
      [["--quality", "abc"], /must be a number from 0 to 1, got 'abc'/],
      [["--quality", "1e-3"], /must be a number from 0 to 1/],
      [["--quality", "-0.1"], /must be a number from 0 to 1/],
      [["--count", "2.5"], /option '--count' must be a whole number of at least 1, got '2.5'/],
      [["--count", "0"], /of at least 1/],
      [["--count", "-5"], /of at least 1, got '-5'/],
    ] as const
  ) {
    assert.throws(() => parseArgv(tree, ["rate", ...argv]), (e: Error) => {
      assert.ok(e instanceof UsageError, e.message);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("renderHelp: typed kinds show their value, default and whether they are required", () => {
  const cmd: CommandSpec = {
    name: "go",
    description: "Go",
    options: [
      { name: "count", type: "integer", min: 1, default: 1, description: "How many" },
      {
        name: "time",
        type: "number",
        required: true,
        valueName: "SECONDS",
        description: "How long",
      },
      { name: "now", type: "instant", description: "The clock" },
      { name: "grace", type: "duration", default: "6h", description: "A wait" },
      { name: "due", type: "interval", max: 86_400_000, description: "A window" },
    ],
    run,
  };
  const help = renderHelp("tool", cmd, ["go"]);
  assert.match(help, /--count <N> +How many \(default: 1\)$/m);
  assert.match(help, /--time <SECONDS> +How long \(required\)$/m);
  assert.match(help, /--now <ISO> +The clock$/m);
  assert.match(help, /--grace <DURATION> +A wait \(default: 6h\)$/m);
  assert.match(help, /--due <START\/END> +A window$/m);
});
