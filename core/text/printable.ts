// C0 and C1 control characters, DEL included; built from a string so the
// source carries no raw control characters.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = new RegExp("[\\u0000-\\u001f\\u007f-\\u009f]", "g");

/**
 * Makes untrusted text safe for one terminal line: control characters
 * (escape sequences, newlines) become `\uXXXX`, and long text is cut.
 */
export function printable(s: string, max = 80): string {
  const clean = s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}

/** Removes terminal control characters from multi-line text, keeping newlines and tabs. */
export function stripControl(s: string): string {
  return s.replace(CONTROL, (c) => (c === "\n" || c === "\t" || c === "\r" ? c : ""));
}
