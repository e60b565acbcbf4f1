/**
 * Runs the package's examples with `deno test --doc`: those in the entry
 * points (`mod.ts`, `plugin.ts`, `testing.ts`), in the source file of every
 * value `mod.ts` exports, where that value's JSDoc (and `@example`) lives,
 * and in the source file of everything `plugin.ts` and `testing.ts` export,
 * types included (a plugin author reads `SafeReader`'s file, and the
 * artifact-store client's, behind `PublishArtifactOptions`). The files come
 * from `deno doc --json`, so a new export brings its file along with no list
 * to keep; `tests/examples_coverage_test.ts` checks that each of `mod.ts`'s
 * values has an example to run, and that every declaring file is in the run.
 *
 * Usage (the test task runs it):
 *
 *     deno run --allow-read --allow-run scripts/doc_test.ts [deno test flags]
 *     deno run --allow-read --allow-run scripts/doc_test.ts --list   # the files only
 *
 * @module
 */

/** The package's entry points: their own examples always run. */
export const ENTRY_POINTS: readonly string[] = ["mod.ts", "plugin.ts", "testing.ts"];

/**
 * The entry points whose every export (types too) brings its declaring file
 * into the run; `mod.ts`'s values bring theirs.
 */
export const EVERY_EXPORT_ENTRY_POINTS: readonly string[] = ["plugin.ts", "testing.ts"];

/** One exported name's declaration, as `deno doc --json` reports it. */
export interface ExportedDeclaration {
  name: string;
  /** `function`, `class`, `variable`, `interface`, `typeAlias`, … */
  kind: string;
  /** Path relative to `root`. */
  file: string;
  line: number;
  /** The text of each `@example` tag in its JSDoc. */
  examples: string[];
}

const TYPE_KINDS = new Set(["interface", "typeAlias"]);

interface DocNode {
  symbols: {
    name: string;
    declarations: {
      kind: string;
      location: { filename: string; line: number };
      jsDoc?: { tags?: { kind: string; doc?: string }[] };
    }[];
  }[];
}

/**
 * The declarations behind `entry`'s exports (re-exports followed to their
 * source), read with `deno doc --json` run from `root`.
 */
export async function exportedDeclarations(
  entry: string,
  root: string = Deno.cwd(),
): Promise<ExportedDeclaration[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!out.success) throw new Error(`deno doc ${entry} failed: ${decoder.decode(out.stderr)}`);
  const doc = JSON.parse(decoder.decode(out.stdout)) as { nodes: Record<string, DocNode> };
  const prefix = new URL(`file://${root.endsWith("/") ? root : `${root}/`}`).href;
  const result: ExportedDeclaration[] = [];
  for (const node of Object.values(doc.nodes)) {
    for (const symbol of node.symbols) {
      for (const d of symbol.declarations) {
        const url = d.location.filename;
        result.push({
          name: symbol.name,
          kind: d.kind,
          file: url.startsWith(prefix) ? decodeURIComponent(url.slice(prefix.length)) : url,
          line: d.location.line,
          examples: (d.jsDoc?.tags ?? []).filter((t) => t.kind === "example").map((t) =>
            t.doc ?? ""
          ),
        });
      }
    }
  }
  return result;
}

/** Whether a declaration kind can be a value (a type alias or interface cannot). */
export function isValueKind(kind: string): boolean {
  return !TYPE_KINDS.has(kind);
}

/**
 * The files `deno test --doc` runs: the entry points, then, sorted, the
 * source files of `mod.ts`'s values and of everything `plugin.ts` and
 * `testing.ts` export.
 */
export async function docTestFiles(root: string = Deno.cwd()): Promise<string[]> {
  const sources = new Set<string>();
  const add = (d: ExportedDeclaration) => {
    if (!ENTRY_POINTS.includes(d.file)) sources.add(d.file);
  };
  for (const d of await exportedDeclarations("mod.ts", root)) if (isValueKind(d.kind)) add(d);
  for (const entry of EVERY_EXPORT_ENTRY_POINTS) {
    for (const d of await exportedDeclarations(entry, root)) add(d);
  }
  return [...ENTRY_POINTS, ...[...sources].sort()];
}

if (import.meta.main) {
  const files = await docTestFiles();
  if (Deno.args.includes("--list")) {
    console.log(files.join("\n"));
    Deno.exit(0);
  }
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--doc", "--allow-all", ...Deno.args, ...files],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(run.code);
}
