/**
 * What a roster slug may look like, and the one rule every roster source
 * shares: each repo is listed once. A slug is the hub's id for a repo; it
 * also ends up in file names, hashes and the shell-quoted `prepare_command`
 * the resolver hands out (`--repo <slug>`), so its shape is kept plain.
 *
 * @module
 */
import { printable } from "../text/printable.ts";

/** Slugs are hub ids and may be `org/name`. */
export const ROSTER_SLUG_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._/-]*$";
const SLUG_RE = new RegExp(ROSTER_SLUG_PATTERN);

/**
 * Why `slug` is not a usable slug (a phrase to follow "slug "), or undefined.
 *
 * @example
 * ```ts
 * slugProblem("acme/invoices"); // undefined
 * slugProblem("org/../etc");    // "'org/../etc' has an empty, '.' or '..' part; write org/name"
 * ```
 */
export function slugProblem(slug: string): string | undefined {
  if (!SLUG_RE.test(slug)) {
    return `'${
      printable(slug)
    }' must match ${ROSTER_SLUG_PATTERN} (letters, digits, '.', '_', '-', '/' for org/name)`;
  }
  // The pattern admits `org//name` and `org/../name`; neither names a repo.
  if (slug.split("/").some((s) => s === "" || s === "." || s === "..")) {
    return `'${printable(slug)}' has an empty, '.' or '..' part; write org/name`;
  }
  return undefined;
}

/** A slug listed more than once: where it comes again, and where it came first (0-based). */
export interface DuplicateSlug {
  slug: string;
  index: number;
  firstIndex: number;
}

/**
 * Every repeat of a slug in a roster, in list order. Two entries for one slug
 * would give two runs for one (repo, agent) with different checkouts; no
 * source may decide silently which one is meant.
 */
export function duplicateSlugs(entries: readonly { slug: string }[]): DuplicateSlug[] {
  const firstAt = new Map<string, number>();
  const out: DuplicateSlug[] = [];
  entries.forEach((e, index) => {
    const first = firstAt.get(e.slug);
    if (first === undefined) firstAt.set(e.slug, index);
    else out.push({ slug: e.slug, index, firstIndex: first });
  });
  return out;
}

/**
 * One line for the repeats in a roster that is not a file (the hub's answer,
 * a library caller's list), in the roster file's words: repos are numbered
 * from 1, as they are in the hub's other messages.
 */
export function duplicateSlugMessage(dups: readonly DuplicateSlug[]): string {
  const d = dups[0];
  const more = dups.length - 1;
  return `duplicate slug '${printable(d.slug, 100)}' (repo #${d.index + 1}; first listed as repo #${
    d.firstIndex + 1
  }); each repo is listed once${more > 0 ? ` (and ${more} more)` : ""}`;
}
