/**
 * /sources (ADMIN_TOKEN when set): the gateway's named inbound URLs, each with the check
 * its sender must pass. Requests to them come in at /in/<name> (./receive.ts).
 */
import { Elysia, t } from "elysia";
import { assertAdminApi } from "../http/auth.ts";
import { notFound } from "../http/errors.ts";
import { documentedJsonBody, ErrorSchema } from "../http/openapi.ts";
import { displayOrigin } from "../http/origin.ts";
import { NewSourceRequest, SourcePatchRequest, SourceSchema, sourceJson } from "./model.ts";
import {
  createSource,
  deleteSource,
  findSource,
  type SourceContext,
  updateSource,
} from "./service.ts";

const admin = [{ adminToken: [] }];

export function sourceRoutes(ctx: SourceContext & { readonly adminToken: string | undefined }) {
  return new Elysia({ name: "sources", tags: ["Sources"] })
    .onBeforeHandle(({ request }) => assertAdminApi(request, ctx.adminToken))
    .post(
      "/sources",
      async ({ body, request, set }) => {
        const source = await createSource(ctx, body);
        set.status = 201;
        return sourceJson(source, displayOrigin(request));
      },
      {
        response: { 201: SourceSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: {
          summary: "Create a source: a URL /in/<name> whose requests must pass its verifier",
          requestBody: documentedJsonBody(NewSourceRequest),
          security: admin,
        },
      },
    )
    .get(
      "/sources",
      async ({ request }) => {
        const origin = displayOrigin(request);
        return { sources: (await ctx.sources.list()).map((s) => sourceJson(s, origin)) };
      },
      {
        response: { 200: t.Object({ sources: t.Array(SourceSchema) }) },
        detail: { summary: "Every source, by name; secrets masked", security: admin },
      },
    )
    .get(
      "/sources/:name",
      async ({ params, request }) =>
        sourceJson(await findSource(ctx, params.name), displayOrigin(request)),
      {
        response: { 200: SourceSchema, 404: ErrorSchema },
        detail: { summary: "One source; secrets masked", security: admin },
      },
    )
    .patch(
      "/sources/:name",
      async ({ params, body, request }) => {
        const source = await updateSource(ctx, params.name, body);
        if (source === undefined) throw notFound(`no source named "${params.name}"`);
        return sourceJson(source, displayOrigin(request));
      },
      {
        response: { 200: SourceSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: {
          summary:
            "Change a source's verifier (e.g. add a secret while the provider rotates it), event type or description; the name stays",
          requestBody: documentedJsonBody(SourcePatchRequest),
          security: admin,
        },
      },
    )
    .delete(
      "/sources/:name",
      async ({ params }) => {
        await deleteSource(ctx, params.name);
        return new Response(null, { status: 204 });
      },
      {
        response: { 404: ErrorSchema, 409: ErrorSchema },
        detail: {
          summary: "Delete a source: /in/<name> answers 404 from now on; its events stay",
          security: admin,
        },
      },
    );
}
