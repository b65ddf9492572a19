/**
 * Query-string parsing for the management API, with errors that name the parameter.
 * Routes declare their parameters as optional strings (for the OpenAPI document) and
 * read them through these, so a bad value says what was expected.
 */
import { isStorableDate } from "../lib/dates.ts";
import { unprocessable } from "./errors.ts";

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Collects problems so one answer names every bad parameter. */
export class QueryReader {
  readonly problems: FieldProblem[] = [];
  constructor(private readonly query: Readonly<Record<string, string | undefined>>) {}

  text(name: string, maxLength = 256): string | undefined {
    const value = this.query[name];
    if (value === undefined || value === "") return undefined;
    if (value.length > maxLength) {
      this.problems.push({ field: name, message: `at most ${maxLength} characters` });
      return undefined;
    }
    return value;
  }

  integer(name: string, { min, max, fallback }: { min: number; max: number; fallback: number }) {
    const value = this.text(name, 20);
    if (value === undefined) return fallback;
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      this.problems.push({
        field: name,
        message: `expected an integer ${min}-${max}, got "${value}"`,
      });
      return fallback;
    }
    return number;
  }

  timestamp(name: string): Date | undefined {
    const value = this.text(name, 64);
    if (value === undefined) return undefined;
    const date = parseTimestamp(value);
    if (!date) {
      this.problems.push({
        field: name,
        message: `expected an ISO-8601 time such as 2026-11-22T10:00:00Z, got "${value}"`,
      });
    }
    return date;
  }

  /** Anything `decode` turns into a cursor; undefined when absent. */
  cursor<C>(name: string, decode: (text: string) => C | undefined): C | undefined {
    const value = this.text(name, 512);
    if (value === undefined) return undefined;
    const cursor = decode(value);
    if (cursor === undefined) {
      this.problems.push({ field: name, message: "not a cursor returned by this API" });
    }
    return cursor;
  }

  /** Throws 422 naming every bad parameter, if any. */
  done(): void {
    if (this.problems.length > 0) throw unprocessable("invalid query parameters", this.problems);
  }
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** A strict ISO-8601 date or date-time (a time needs a zone); impossible dates are refused. */
export function parseTimestamp(value: string): Date | undefined {
  if (!ISO_8601.test(value)) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  // Date rolls 2026-02-30 over to March; compare the calendar day to catch it.
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  const check = new Date(Date.UTC(year as number, (month as number) - 1, day as number));
  return check.getUTCDate() === day && isStorableDate(date) ? date : undefined;
}
