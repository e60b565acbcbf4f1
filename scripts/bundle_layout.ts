/**
 * Rewrites `deno bundle`'s code-split output into the layout `dist/` ships:
 * the entry `kaizen.js` next to a `chunks/` folder, with every dynamic
 * `import("./x.js")` turned into a form Deno does not follow at start-up.
 *
 * Why: `deno run` walks every statically written `import("…")` of the
 * program when it starts, reading (and hashing) each chunk it names even if
 * the command never loads it — the tokenizer's vocabulary, the NATS client,
 * the MCP SDK. Measured on this bundle: 6–7 ms of every command, a quarter of
 * `--version`. Written as `import(["./x.js"][0])` the specifier is the same
 * string at run time, so the chunk still loads when a command asks for it,
 * but nothing is read before then.
 *
 * The cost of hiding them: `deno compile` embeds only what it can see, so
 * the compile task passes `--include dist/chunks/` — which is why the chunks
 * get a folder of their own (and why the binary, written to `dist/kaizen`,
 * is not inside what is included).
 *
 * @module
 */

/** Folder, inside `dist/`, that holds every chunk but the entry. */
export const CHUNKS_DIR = "chunks";

/** A dynamic import of a sibling chunk, as esbuild writes it (minified or not). */
const DYNAMIC = /\bimport\((["'])\.\/([A-Za-z0-9_.-]+\.js)\1\)/g;

/** A quoted `./name.js` in the entry: its static and dynamic imports of chunks. */
const SIBLING = /(["'])\.\/([A-Za-z0-9_.-]+\.js)\1/g;

/**
 * `text` of one chunk with its dynamic imports of the `chunks` hidden from
 * Deno's start-up walk; in the entry (`entry: true`) every specifier of a
 * chunk also gains the `chunks/` folder.
 */
export function rewriteChunk(text: string, chunks: ReadonlySet<string>, entry: boolean): string {
  let out = text.replace(
    DYNAMIC,
    (all, q: string, name: string) =>
      chunks.has(name) ? `import([${q}./${entry ? `${CHUNKS_DIR}/` : ""}${name}${q}][0])` : all,
  );
  if (entry) {
    out = out.replace(
      SIBLING,
      (all, q: string, name: string) => chunks.has(name) ? `${q}./${CHUNKS_DIR}/${name}${q}` : all,
    );
  }
  return out;
}

/** Problems left after the rewrite: any literal dynamic import of a chunk, any entry specifier outside `chunks/`. */
export function layoutProblems(
  files: ReadonlyMap<string, string>,
  chunks: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  for (const [name, text] of files) {
    for (const m of text.matchAll(DYNAMIC)) {
      if (chunks.has(m[2])) problems.push(`${name}: literal import("./${m[2]}") left`);
    }
    if (name === "kaizen.js") {
      for (const m of text.matchAll(SIBLING)) {
        if (chunks.has(m[2])) problems.push(`${name}: './${m[2]}' not moved to ${CHUNKS_DIR}/`);
      }
    }
  }
  return problems;
}
