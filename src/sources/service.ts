/**
 * Managing sources, apart from HTTP so that the API and the dashboard share it: a body is
 * checked whole (one 422 names every bad field), then written, then the registry is told.
 * A source of the config file is read-only here: the file is where it lives.
 */
import { ApiError, notFound, unprocessable } from "../http/errors.ts";
import type { Store } from "../store/store.ts";
import { parseSourceInput, type Source, type SourceInput } from "./definition.ts";
import type { SourceRegistry } from "./registry.ts";

export interface SourceContext {
  readonly store: Pick<Store, "sources">;
  readonly now: () => Date;
  readonly sources: SourceRegistry;
}

function checked(body: unknown, mode: "create" | "update"): SourceInput {
  const parsed = parseSourceInput(body, mode);
  if (!parsed.ok) {
    const fields = [...new Set(parsed.problems.map((p) => p.field))].join(", ");
    throw unprocessable(`invalid source: ${fields}`, parsed.problems);
  }
  return parsed.input;
}

const declaredInConfig = (name: string) =>
  new ApiError(
    409,
    `the source "${name}" is declared in the config file; change it there and restart hookyard`,
  );

export async function createSource(ctx: SourceContext, body: unknown): Promise<Source> {
  const input = checked(body, "create");
  const name = input.name as string;
  if (ctx.sources.isDeclared(name)) throw declaredInConfig(name);
  const created = await ctx.store.sources.create(
    {
      name,
      verifier: input.verifier,
      eventType: input.eventType?.text ?? null,
      description: input.description ?? "",
    },
    ctx.now(),
  );
  if (created === "exists") {
    throw new ApiError(409, `a source named "${name}" exists already; change it with PATCH`);
  }
  ctx.sources.invalidate();
  return (await ctx.sources.get(name)) as Source;
}

/** Undefined when there is no such source. */
export async function updateSource(
  ctx: SourceContext,
  name: string,
  body: unknown,
): Promise<Source | undefined> {
  if (ctx.sources.isDeclared(name)) throw declaredInConfig(name);
  const input = checked(body, "update");
  const updated = await ctx.store.sources.update(
    name,
    {
      ...(input.verifier === undefined ? {} : { verifier: input.verifier }),
      ...(input.eventType === undefined ? {} : { eventType: input.eventType?.text ?? null }),
      ...(input.description === undefined ? {} : { description: input.description }),
    },
    ctx.now(),
  );
  if (updated === undefined) return undefined;
  ctx.sources.invalidate();
  return ctx.sources.get(name);
}

export async function deleteSource(ctx: SourceContext, name: string): Promise<void> {
  if (ctx.sources.isDeclared(name)) throw declaredInConfig(name);
  if (!(await ctx.store.sources.delete(name))) throw notFound(`no source named "${name}"`);
  ctx.sources.invalidate();
}

export async function findSource(ctx: SourceContext, name: string): Promise<Source> {
  const source = await ctx.sources.get(name);
  if (source === undefined) throw notFound(`no source named "${name}"`);
  return source;
}
