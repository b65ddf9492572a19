/** The JSON shapes of sources in the management API, and their OpenAPI schemas. */
import { t } from "elysia";
import type { Source } from "./definition.ts";
import { maskedVerifier, VERIFIER_TYPES } from "./providers/index.ts";

export const SourceSchema = t.Object({
  name: t.String({ examples: ["stripe-live"] }),
  url: t.String({
    description: "where the provider sends its webhooks: this server's origin + /in/<name>",
    examples: ["https://hooks.example.com/in/stripe-live"],
  }),
  verifier: t.Object(
    { type: t.String({ enum: [...VERIFIER_TYPES] }) },
    {
      additionalProperties: true,
      description: "the verifier's settings, each secret masked (whsec_…a1b2)",
    },
  ),
  event_type: t.Nullable(
    t.String({
      description:
        "the template the event type is made from ({{body.kind}}, {{header.x-event}}); null: the provider's own field. Either way stored as <name>.<type>",
    }),
  ),
  description: t.String(),
  declared_in: t.Union([t.Literal("api"), t.Literal("config")], {
    description: "config: declared in the TOML file, read-only here",
  }),
  created_at: t.Nullable(t.String({ format: "date-time" })),
  updated_at: t.Nullable(t.String({ format: "date-time" })),
});

export type SourceJson = typeof SourceSchema.static;

/** The API's view: secrets masked, with the URL to give the provider. */
export function sourceJson(source: Source, origin: string): SourceJson {
  return {
    name: source.name,
    url: `${origin}${inboundPath(source.name)}`,
    verifier: maskedVerifier(source.verifier),
    event_type: source.eventType?.text ?? null,
    description: source.description,
    declared_in: source.origin,
    created_at: source.createdAt?.toISOString() ?? null,
    updated_at: source.updatedAt?.toISOString() ?? null,
  };
}

export const inboundPath = (name: string) => `/in/${name}`;

const VerifierRequest = t.Object(
  {
    type: t.String({ enum: [...VERIFIER_TYPES] }),
    secret: t.Optional(t.String()),
    secrets: t.Optional(t.Array(t.String(), { minItems: 1, maxItems: 10 })),
  },
  {
    additionalProperties: true,
    description:
      "stripe, shopify, slack, github, standard-webhooks: secret(s); hmac: header, algorithm (sha1|sha256|sha512), encoding (hex|base64), prefix?, timestamp_header?, tolerance?; basic: username + secret(s) as passwords; api-key: header + secret(s) as keys; none: nothing (docs/receiving.md)",
    examples: [{ type: "stripe", secret: "whsec_…" }],
  },
);

/** For the OpenAPI document only: bodies are checked by ./definition.ts, naming every bad field. */
export const NewSourceRequest = t.Object({
  name: t.String({ pattern: "^[a-z][a-z0-9_-]{0,62}$", examples: ["stripe-live"] }),
  verifier: VerifierRequest,
  event_type: t.Optional(t.Nullable(t.String({ examples: ["{{body.kind}}"] }))),
  description: t.Optional(t.String({ maxLength: 1000 })),
});

export const SourcePatchRequest = t.Object({
  verifier: t.Optional(VerifierRequest),
  event_type: t.Optional(t.Nullable(t.String())),
  description: t.Optional(t.String({ maxLength: 1000 })),
});
