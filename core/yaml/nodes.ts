/**
 * Small questions about `yaml` syntax-tree nodes that every strict file
 * walker asks (the manifest, roster files): where a node starts, what kind
 * of thing it is for a message, how many aliases a document uses.
 *
 * @module
 */
import { isAlias, isMap, isScalar } from "yaml";
import type { Node, Pair, YAMLMap } from "yaml";
import { printable } from "../text/printable.ts";

/** Aliases in a document and the offset of the first one (alias bombs are capped by count). */
export function countAliases(root: Node | null): { count: number; first?: number } {
  let count = 0;
  let first: number | undefined;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isAlias(n)) {
      count++;
      const off = n.range?.[0];
      if (off !== undefined && (first === undefined || off < first)) first = off;
    } else if (n && typeof n === "object" && "items" in n && Array.isArray((n as YAMLMap).items)) {
      for (const it of (n as YAMLMap).items as unknown[]) {
        if (it && typeof it === "object" && "key" in it) {
          stack.push((it as Pair).key, (it as Pair).value);
        } else stack.push(it);
      }
    }
  }
  return { count, first };
}

/** Where `node` starts; the key of `fallback` when the node has no range (an empty value). */
export function offsetOf(node: Node | null | undefined, fallback?: Pair<unknown, unknown>): number {
  if (node && node.range) return node.range[0];
  const k = fallback?.key as Node | undefined;
  return k?.range?.[0] ?? 0;
}

/** `a mapping`, `a list`, `a string`, `null`, `nothing`. */
export function kindOf(node: Node | null): string {
  if (node === null) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isScalar(node)) return node.value === null ? "null" : `a ${typeof node.value}`;
  return "a list";
}

/** A value for a message: quoted and made printable when it is a string. */
export function describe(node: Node | null): string {
  if (node === null || node === undefined) return "nothing";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "string") return `'${printable(v)}'`;
    return `${typeof v} ${printable(String(v))}`;
  }
  return kindOf(node);
}

/** The first line of a `yaml` error message, without its own position suffix. */
export function firstLine(s: string): string {
  return s.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Checks a `version:` value against the one supported version string.
 * Undefined when it matches; otherwise whether it was that version written
 * as a number (`version: 1`, the commonest slip, with its own fix hint) and
 * the message to report.
 */
export function versionMismatch(
  node: Node | null,
  expected: string,
): { numeric: boolean; message: string } | undefined {
  if (isScalar(node) && node.value === expected) return undefined;
  if (isScalar(node) && typeof node.value === "number" && String(node.value) === expected) {
    return {
      numeric: true,
      message:
        `version must be the string "${expected}", not the number ${node.value}; quote it: version: "${expected}"`,
    };
  }
  return { numeric: false, message: `version must be "${expected}", got ${describe(node)}` };
}

/**
 * A `key: true|false` field's value, or why it is not a YAML boolean.
 * `"yes"`, `on`, `y` and the like get a hint naming the boolean they meant
 * (YAML 1.2 reads them as strings).
 */
export function readBoolean(
  node: Node | null,
  key: string,
): { ok: true; value: boolean } | { ok: false; message: string } {
  if (isScalar(node) && typeof node.value === "boolean") return { ok: true, value: node.value };
  const word = isScalar(node) && typeof node.value === "string" ? node.value.toLowerCase() : "";
  const hint = ["yes", "no", "on", "off", "true", "false", "y", "n"].includes(word)
    ? `; write ${["yes", "on", "true", "y"].includes(word) ? "true" : "false"} without quotes`
    : "";
  return {
    ok: false,
    message: `${key} must be a boolean (true or false), got ${describe(node)}${hint}`,
  };
}
