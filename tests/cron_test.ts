/** `cronError`: the portable 5-field subset, and why everything else is refused. */
import assert from "node:assert/strict";
import { cronError } from "../core/time/cron.ts";

const ACCEPTED = [
  "0 9 * * 1",
  "* * * * *",
  "*/15 * * * *",
  "0-59/5 * * * *",
  "5/15 * * * *",
  "0,30 9-17 * * 1-5",
  "0 9 1,15 * *",
  "59 23 31 12 7",
  "0 0 1 1 0",
  "0 9 * JAN MON-FRI",
  "0 9 * jan,jul mon,wed,fri",
  "0 9 * JAN-DEC SUN-SAT",
  "0 9 * * 1-1",
  "  0 9 * * 1  ",
  "0\t9  *  *\t1",
];

for (const expr of ACCEPTED) {
  Deno.test(`cron accepts ${JSON.stringify(expr)}`, () => {
    assert.equal(cronError(expr), undefined);
  });
}

/** [expression, exact message or distinctive part] */
const REJECTED: [string, string | RegExp][] = [
  ["", "cron is empty; expected 5 fields (minute hour day-of-month month day-of-week)"],
  ["   ", "cron is empty"],
  [
    "0 9 * *",
    "cron must have exactly 5 fields (minute hour day-of-month month day-of-week), got 4",
  ],
  ["0 0 9 * * 1", "got 6 (a seconds or year field is not allowed)"],
  ["0 0 9 * * 1 2026", /got 7$/],
  ["9", /got 1$/],
  ["@reboot", "cron '@reboot' is not supported; expected 5 fields"],
  ["@daily", `cron nickname '@daily' is not portable; write the 5 fields instead: "0 0 * * *"`],
  ["@hourly", `write the 5 fields instead: "0 * * * *"`],
  ["@weekly", `"0 0 * * 0"`],
  ["@monthly", `"0 0 1 * *"`],
  ["@yearly", `"0 0 1 1 *"`],
  ["@annually", `"0 0 1 1 *"`],
  ["@midnight", `"0 0 * * *"`],
  ["@DAILY", "cron nickname '@daily'"],
  [
    "CRON_TZ=Europe/Berlin 0 9 * * 1",
    "cron must not carry a CRON_TZ= prefix; set the manifest's 'timezone' instead",
  ],
  ["cron_tz=UTC 0 9 * * 1", "CRON_TZ= prefix"],
  ["TZ=UTC 0 9 * * 1", "cron must not carry a TZ= prefix"],
  ["60 9 * * *", "cron minute value 60 is out of range 0-59"],
  ["0 24 * * *", "cron hour value 24 is out of range 0-23"],
  ["0 9 0 * *", "cron day-of-month value 0 is out of range 1-31"],
  ["0 9 32 * *", "cron day-of-month value 32 is out of range 1-31"],
  ["0 9 * 0 *", "cron month value 0 is out of range 1-12"],
  ["0 9 * 13 *", "cron month value 13 is out of range 1-12"],
  ["0 9 * * 8", "cron day-of-week value 8 is out of range 0-7"],
  ["0 9 * * 1-9", "cron day-of-week value 9 is out of range 0-7"],
  ["0 17-9 * * *", "cron hour range '17-9' runs backwards"],
  ["0 9 * * SAT-SUN", "cron day-of-week range 'SAT-SUN' runs backwards"],
  ["*/0 * * * *", "cron minute step must not be 0"],
  ["*/x * * * *", "cron minute step 'x' must be a positive number"],
  ["*/-1 * * * *", "cron minute step '-1' must be a positive number"],
  ["1/2/3 * * * *", "cron minute field '1/2/3' has more than one '/'"],
  ["1,,2 * * * *", "cron minute field '1,,2' has an empty list item"],
  ["1-2-3 * * * *", "cron minute field '1-2-3' is not a number, name, range or '*'"],
  ["-5 * * * *", "cron minute field '-5' is not a number, name, range or '*'"],
  ["1.5 * * * *", "cron minute field '1.5' is not a number"],
  ["0 9 L * *", "cron day-of-month field 'L' uses a non-portable extension (L, W, # or ?)"],
  ["0 9 15W * *", "cron day-of-month field '15W' uses a non-portable extension"],
  ["0 9 ? * 1", "cron day-of-month field '?' uses a non-portable extension"],
  ["0 9 * * 1#2", "cron day-of-week field '1#2' uses a non-portable extension"],
  ["0 9 * * 5L", "cron day-of-week field '5L' uses a non-portable extension"],
  ["0 9 * MON *", "cron month field 'MON' is not a number, name, range or '*'"],
  ["0 9 * * JAN", "cron day-of-week field 'JAN' is not a number"],
  ["0 9 * * MONDAY", "cron day-of-week field 'MONDAY' is not a number"],
  ["0 nine * * *", "cron hour field 'nine' is not a number"],
];

for (const [expr, message] of REJECTED) {
  Deno.test(`cron rejects ${JSON.stringify(expr)}`, () => {
    const err = cronError(expr);
    assert.ok(err !== undefined, "expected an error");
    if (typeof message === "string") assert.ok(err.includes(message), err);
    else assert.match(err, message);
  });
}

Deno.test("cron errors are one line", () => {
  for (const [expr] of REJECTED) assert.doesNotMatch(cronError(expr)!, /\n/);
});
