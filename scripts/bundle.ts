/**
 * `deno task bundle`: builds `dist/kaizen.js` with `deno bundle`.
 *
 * We bundle with code splitting: every command's implementation (and heavy
 * dependencies such as the tokenizer's 3 MB vocabulary or the NATS client) lands in
 * its own chunk that is loaded only when a command imports it, so `--version`
 * or `schedule validate` do not parse code they never run. The entry chunk is
 * renamed to `kaizen.js`; the other chunks move to `dist/chunks/`, behind
 * dynamic imports that `deno run` does not walk at start-up, and the compile
 * task embeds them with `--include dist/chunks/` (see bundle_layout.ts and
 * docs/decisions.md, 12). They are minified (names kept): fewer bytes to read
 * for the chunks a command does load.
 *
 * `--platform browser` selects the ESM builds of npm packages (e.g. `yaml`),
 * which start much faster under Deno than their CommonJS builds.
 */
import { CHUNKS_DIR, layoutProblems, rewriteChunk } from "./bundle_layout.ts";

const root = new URL("..", import.meta.url).pathname;

// The list of packaged prompt hashes is computed at build time (and refuses a
// prompt the redactor flags), so the bundle always carries a current one.
const hashes = await new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-read", "--allow-write", "scripts/gen-prompt-hashes.ts"],
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!hashes.success) Deno.exit(hashes.code || 1);

const staging = await Deno.makeTempDir({ dir: root, prefix: ".bundle-" });
try {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--code-splitting",
      // Fewer bytes for every chunk a command loads. Names are kept: errors
      // are matched by `name` and read by people.
      "--minify",
      "--keep-names",
      "--outdir",
      staging,
      "cli.ts",
    ],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) Deno.exit(out.code || 1);
  await Deno.rename(`${staging}/cli.js`, `${staging}/kaizen.js`);
  await arrange(staging);
  // makeTempDir made it private; dist/ is read by whichever user runs the bundle.
  await Deno.chmod(staging, 0o755);
  // Replace dist/ wholesale so stale chunks from older builds never linger.
  await Deno.remove(`${root}dist`, { recursive: true }).catch(() => {});
  await Deno.rename(staging, `${root}dist`);
  let files = 0;
  let bytes = (await Deno.stat(`${root}dist/kaizen.js`)).size;
  for await (const e of Deno.readDir(`${root}dist/${CHUNKS_DIR}`)) {
    files++;
    bytes += (await Deno.stat(`${root}dist/${CHUNKS_DIR}/${e.name}`)).size;
  }
  console.log(
    `dist/kaizen.js + ${files} chunks in dist/${CHUNKS_DIR}/, ${
      (bytes / 1024 / 1024).toFixed(1)
    } MiB`,
  );
} finally {
  await Deno.remove(staging, { recursive: true }).catch(() => {});
}

/**
 * Moves every chunk but the entry into `chunks/` and hides their dynamic
 * imports from Deno's start-up walk (see bundle_layout.ts); refuses to leave
 * a layout in which a chunk would not be found.
 */
async function arrange(dir: string): Promise<void> {
  const chunks = new Set<string>();
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".js") && e.name !== "kaizen.js") chunks.add(e.name);
  }
  await Deno.mkdir(`${dir}/${CHUNKS_DIR}`);
  const written = new Map<string, string>();
  for (const name of ["kaizen.js", ...chunks]) {
    const entry = name === "kaizen.js";
    const text = rewriteChunk(await Deno.readTextFile(`${dir}/${name}`), chunks, entry);
    const to = entry ? `${dir}/${name}` : `${dir}/${CHUNKS_DIR}/${name}`;
    await Deno.writeTextFile(to, text);
    if (!entry) await Deno.remove(`${dir}/${name}`);
    written.set(name, text);
  }
  const problems = layoutProblems(written, chunks);
  if (problems.length > 0) {
    console.error(`bundle: layout rewrite incomplete:\n  ${problems.join("\n  ")}`);
    Deno.exit(1);
  }
}
