/**
 * A large JSON document parsed in slices, so that no single step holds the thread for long.
 *
 * Passing a parsed value between threads costs as much as parsing it (the receiver
 * rebuilds every object), and a string is copied. Bytes in a SharedArrayBuffer are not.
 * So the thread that checked a large body hands over a plan for its UTF-8 bytes: which
 * spans are small enough to parse at once (runs of array items or object members), and
 * which containers must be split further. The receiver decodes and parses each span and
 * pauses between spans (rebuildJson). Strings too long to split come whole, parsed by the
 * planner. The spans are found in the bytes directly: in UTF-8, no byte of a multi-byte
 * character is a quote, a bracket or a comma.
 *
 * The plan is made from JSON that JSON.parse accepted: it is not a validator.
 */

export type JsonPlan =
  /** Bytes `from` to `to` are one value, parsed at once. */
  | { readonly kind: "whole"; readonly from: number; readonly to: number }
  /** A long string, already parsed. */
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "array"; readonly parts: readonly JsonPart[] }
  | { readonly kind: "object"; readonly parts: readonly JsonPart[] };

export type JsonPart =
  /** Array items or object members (`"a":1,"b":2`) from `from` to `to`, parsed together. */
  | { readonly kind: "run"; readonly from: number; readonly to: number }
  /** One item, or one member (with its key), too large for a run. */
  | { readonly kind: "one"; readonly key?: string; readonly plan: JsonPlan };

export interface PlanOptions {
  /** The most characters parsed at once, short of a string or a container too deep. */
  readonly chunk: number;
  /**
   * Containers nested deeper than this are parsed whole, however large: each level of
   * splitting reads its container's text again, so a chain of nested large containers
   * is split only this far down.
   */
  readonly maxDepth: number;
}

const DEFAULT_PLAN: PlanOptions = { chunk: 64 * 1024, maxDepth: 8 };

/** How to parse `text` (UTF-8 JSON that JSON.parse accepts) in pieces of about `chunk` bytes. */
export function planJson(text: Uint8Array, options: PlanOptions = DEFAULT_PLAN): JsonPlan {
  const from = skipSpace(text, 0);
  return planValue(text, from, skipValue(text, from), 0, options);
}

function planValue(
  text: Uint8Array,
  from: number,
  to: number,
  depth: number,
  options: PlanOptions,
): JsonPlan {
  const first = text[from];
  if (to - from > options.chunk && first === QUOTE) {
    return { kind: "string", value: JSON.parse(utf8(text, from, to)) as string };
  }
  if (to - from <= options.chunk || depth >= options.maxDepth) return { kind: "whole", from, to };
  if (first === OPEN_BRACKET)
    return { kind: "array", parts: planMembers(text, from, depth, false, options) };
  if (first === OPEN_BRACE)
    return { kind: "object", parts: planMembers(text, from, depth, true, options) };
  return { kind: "whole", from, to };
}

/** The items of the array (or members of the object) opening at `open`, in runs. */
function planMembers(
  text: Uint8Array,
  open: number,
  depth: number,
  object: boolean,
  options: PlanOptions,
): JsonPart[] {
  const parts: JsonPart[] = [];
  let runFrom = -1;
  let runTo = -1;
  const flush = () => {
    if (runFrom !== -1) parts.push({ kind: "run", from: runFrom, to: runTo });
    runFrom = -1;
  };
  let at = skipSpace(text, open + 1);
  while (text[at] !== CLOSE_BRACKET && text[at] !== CLOSE_BRACE) {
    const memberFrom = at;
    let key: string | undefined;
    if (object) {
      const keyTo = skipString(text, at);
      key = JSON.parse(utf8(text, at, keyTo)) as string;
      at = skipSpace(text, skipSpace(text, keyTo) + 1);
    }
    const valueFrom = at;
    const valueTo = skipValue(text, valueFrom);
    if (valueTo - valueFrom > options.chunk) {
      flush();
      const plan = planValue(text, valueFrom, valueTo, depth + 1, options);
      parts.push(key === undefined ? { kind: "one", plan } : { kind: "one", key, plan });
    } else {
      if (runFrom !== -1 && valueTo - runFrom > options.chunk) flush();
      if (runFrom === -1) runFrom = memberFrom;
      runTo = valueTo;
    }
    at = skipSpace(text, valueTo);
    if (text[at] === COMMA) at = skipSpace(text, at + 1);
  }
  flush();
  return parts;
}

/**
 * The value `plan` describes, parsed from `text` (the bytes it was made for); `pause` is
 * awaited whenever it says the thread has worked long enough (see pauseEvery).
 */
export async function rebuildJson(
  text: Uint8Array,
  plan: JsonPlan,
  pause: () => Promise<void> | undefined,
): Promise<unknown> {
  switch (plan.kind) {
    case "whole":
      return JSON.parse(utf8(text, plan.from, plan.to));
    case "string":
      return plan.value;
    case "array": {
      const items: unknown[] = [];
      for (const part of plan.parts) {
        if (part.kind === "run") {
          for (const item of JSON.parse(`[${utf8(text, part.from, part.to)}]`) as unknown[]) {
            items.push(item);
          }
        } else {
          items.push(await rebuildJson(text, part.plan, pause));
        }
        await pause();
      }
      return items;
    }
    case "object": {
      const object: Record<string, unknown> = {};
      for (const part of plan.parts) {
        if (part.kind === "run") {
          addMembers(object, JSON.parse(`{${utf8(text, part.from, part.to)}}`));
        } else {
          addMembers(object, { [part.key as string]: await rebuildJson(text, part.plan, pause) });
        }
        await pause();
      }
      return object;
    }
  }
}

/**
 * Members added as JSON.parse adds them: a repeated key keeps its first place and takes the
 * last value, and `__proto__` is a member like any other, not the object's prototype
 * (which plain assignment would set).
 */
function addMembers(object: Record<string, unknown>, members: Record<string, unknown>): void {
  if (!Object.hasOwn(members, "__proto__")) {
    Object.assign(object, members);
    return;
  }
  for (const key of Object.keys(members)) {
    Object.defineProperty(object, key, {
      value: members[key],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
}

/**
 * A `pause` for rebuildJson: after every `ms` of work, one turn of the event loop, so
 * that the requests waiting meanwhile are served.
 */
export function pauseEvery(ms: number): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < ms) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = performance.now();
        resolve();
      }),
    );
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Checked already, so not strict; works on shared memory too. */
const decoder = new TextDecoder();

const utf8 = (bytes: Uint8Array, from: number, to: number) =>
  decoder.decode(bytes.subarray(from, to));

function skipSpace(text: Uint8Array, at: number): number {
  let i = at;
  for (;;) {
    const c = text[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** The end of the string whose opening quote is at `at`. */
function skipString(text: Uint8Array, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = text.indexOf(QUOTE, from);
    if (quote === -1) throw new Error("unterminated string in checked JSON");
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The end of the value starting at `at`. */
function skipValue(text: Uint8Array, at: number): number {
  const first = text[at];
  if (first === QUOTE) return skipString(text, at);
  if (first !== OPEN_BRACKET && first !== OPEN_BRACE) {
    let i = at;
    for (;;) {
      const c = text[i];
      if (
        c === undefined ||
        c === COMMA ||
        c === CLOSE_BRACKET ||
        c === CLOSE_BRACE ||
        c === 0x20 ||
        c === 0x0a ||
        c === 0x0d ||
        c === 0x09
      ) {
        return i;
      }
      i++;
    }
  }
  let depth = 0;
  for (let i = at; ; i++) {
    const c = text[i];
    if (c === QUOTE) i = skipString(text, i) - 1;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) depth++;
    else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      if (--depth === 0) return i + 1;
    }
  }
}
