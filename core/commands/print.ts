/**
 * Printing what the state commands read from a repository: through the
 * redaction choke point (core/redact/output.ts), which notices each secret
 * it replaces. Cheap to import: the redactor loads when something prints.
 *
 * @module
 */
import { withFinalNewline } from "../text/printable.ts";

/** Where the text goes, and where the redactor's notices go. */
export interface PrintIo {
  out(text: string): void;
  notice(message: string): void;
}

/** Prints `text` (read from `source`) with its secrets redacted, ending in one newline. */
export async function printRedacted(io: PrintIo, text: string, source: string): Promise<void> {
  const { redactForOutput } = await import("../redact/output.ts");
  io.out(withFinalNewline(redactForOutput(text, source, io.notice)));
}
