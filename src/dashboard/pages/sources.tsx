/**
 * `/dashboard/sources`: the gateway's named inbound URLs: list them, add one, see one with
 * its recent events, change it and delete it. Every change goes through
 * ../../sources/service.ts, so the forms and `/sources` apply the same checks and the
 * registry hears of it; a source of the config file is refused there (409).
 *
 * Every form posts with the CSRF token and is refused unless same-origin (csrf.ts), then
 * redirects (303) so that a reload repeats nothing, with a one-time notice (flash.ts).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { ApiError } from "../../http/errors.ts";
import { displayOrigin } from "../../http/origin.ts";
import type { Source } from "../../sources/definition.ts";
import type { SourceRegistry } from "../../sources/registry.ts";
import {
  createSource,
  deleteSource,
  type SourceContext,
  updateSource,
} from "../../sources/service.ts";
import { errorPageResponse, type FieldProblems } from "../components/index.ts";
import { seeOtherWithNotice, splitNotice } from "../flash.ts";
import { htmlResponse } from "../html.ts";
import { pageCookies } from "../page-cookies.ts";
import { isFieldProblemList } from "./endpoint-form.ts";
import type { PageNotice } from "./endpoint-list.tsx";
import { isPlausibleText } from "./event-display.ts";
import { refuseForgedPost } from "./forged-post.ts";
import { SourcePage } from "./source-detail.tsx";
import {
  EMPTY_SOURCE_FORM,
  readSourceForm,
  type SourceFormValues,
  sourceCreateBody,
  sourceFormValues,
  sourceProblemsByField,
  sourceUpdateBody,
} from "./source-form.ts";
import { SourceListPage, sourceHref } from "./source-list.tsx";

/** Recent events shown on a source's page; the events list has the rest. */
export const SOURCE_EVENTS_SHOWN = 20;

/** A form the service refused: re-shown with what was typed and each field's problem. */
interface RefusedForm {
  readonly values: SourceFormValues;
  readonly problems: FieldProblems;
}

/** The field problems of a 422 from the service, or undefined for any other error. */
function fieldProblems(error: unknown): FieldProblems | undefined {
  return error instanceof ApiError && error.status === 422 && isFieldProblemList(error.details)
    ? sourceProblemsByField(error.details)
    : undefined;
}

/** The one-time notices of these pages, by keyword (flash.ts). */
function sourceNotice(notice: string | undefined): PageNotice | undefined {
  const [keyword, name] = splitNotice(notice);
  switch (keyword) {
    case "created":
      return { tone: "ok", message: "Source created. Give its URL to the sender." };
    case "saved":
      return { tone: "ok", message: "Source saved." };
    case "deleted":
      return { tone: "ok", message: `Source ${name ?? ""} deleted: its URL answers 404 now.` };
    default:
      return undefined;
  }
}

export function sourceNotFound(name: string): Response {
  return errorPageResponse({
    status: 404,
    title: "Source not found",
    message: `There is no source named "${name}"; it may have been deleted.`,
    active: "sources",
  });
}

export function sourcesPages(ctx: AppContext, sources: SourceRegistry) {
  const service: SourceContext = { store: ctx.store, now: ctx.now, sources };

  const findSource = (name: string) =>
    isPlausibleText(name, 64) ? sources.get(name) : Promise.resolve(undefined);

  const renderList = async (request: Request, refused?: RefusedForm) => {
    const page = pageCookies(request);
    return htmlResponse(
      <SourceListPage
        sources={await sources.list()}
        origin={displayOrigin(request)}
        csrfToken={page.csrfToken}
        form={refused?.values ?? EMPTY_SOURCE_FORM}
        problems={refused?.problems ?? {}}
        notice={sourceNotice(page.notice)}
        adminTokenRequired={ctx.config.adminToken !== undefined}
      />,
      { status: refused ? 422 : 200, headers: page.headers },
    );
  };

  const renderSource = async (request: Request, source: Source, refused?: RefusedForm) => {
    const page = pageCookies(request);
    const events = await ctx.store.events.list(
      { source: source.name },
      { limit: SOURCE_EVENTS_SHOWN },
    );
    return htmlResponse(
      <SourcePage
        source={source}
        origin={displayOrigin(request)}
        csrfToken={page.csrfToken}
        events={events.items}
        moreEvents={events.next !== null}
        notice={sourceNotice(page.notice)}
        edit={refused ?? { values: sourceFormValues(source), problems: {} }}
      />,
      { status: refused ? 422 : 200, headers: page.headers },
    );
  };

  return new Elysia({ name: "dashboard.sources" })
    .get("/dashboard/sources", ({ request }) => renderList(request))
    .post("/dashboard/sources", async ({ request, body }) => {
      const refusal = refuseForgedPost(request, body, "sources");
      if (refusal) return refusal;
      const values = readSourceForm(body);
      let created: Source;
      try {
        created = await createSource(service, sourceCreateBody(values));
      } catch (error) {
        const problems = fieldProblems(error);
        if (problems) return renderList(request, { values, problems });
        throw error;
      }
      return seeOtherWithNotice(sourceHref(created.name), "created", request);
    })
    .get("/dashboard/sources/:name", async ({ request, params }) => {
      const source = await findSource(params.name);
      if (!source) return sourceNotFound(params.name);
      return renderSource(request, source);
    })
    .post("/dashboard/sources/:name/edit", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "sources");
      if (refusal) return refusal;
      const source = await findSource(params.name);
      if (!source) return sourceNotFound(params.name);
      const values = readSourceForm(body);
      let updated: Source | undefined;
      try {
        // The stored secrets are sent again when none were typed: the service takes the
        // verifier whole.
        updated = await updateSource(service, source.name, sourceUpdateBody(values, source));
      } catch (error) {
        const problems = fieldProblems(error);
        if (problems) return renderSource(request, source, { values, problems });
        throw error;
      }
      if (!updated) return sourceNotFound(params.name);
      return seeOtherWithNotice(sourceHref(updated.name), "saved", request);
    })
    .post("/dashboard/sources/:name/delete", async ({ request, body, params }) => {
      const refusal = refuseForgedPost(request, body, "sources");
      if (refusal) return refusal;
      const source = await findSource(params.name);
      if (!source) return sourceNotFound(params.name);
      await deleteSource(service, source.name);
      return seeOtherWithNotice("/dashboard/sources", `deleted:${source.name}`, request);
    });
}
