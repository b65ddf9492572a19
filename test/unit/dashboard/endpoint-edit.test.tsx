import { describe, expect, test } from "bun:test";
import { maskSecret, SecretValue } from "../../../src/dashboard/components/secret-value.tsx";
import { navKeyOf } from "../../../src/dashboard/error-pages.tsx";
import { renderSync } from "../../../src/dashboard/html.ts";
import { EndpointPage } from "../../../src/dashboard/pages/endpoint-detail.tsx";
import {
  endpointFormValues,
  endpointUpdateBody,
} from "../../../src/dashboard/pages/endpoint-form.ts";
import { parseEndpointInput } from "../../../src/delivery/endpoints-service.ts";
import { noHealth } from "../../../src/endpoint-health/service.ts";
import type { Endpoint } from "../../../src/store/endpoints.ts";
import { parseHtml } from "./parse-html.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const endpoint: Endpoint = {
  id: "e1",
  url: "https://example.com/hook",
  description: "Billing",
  secret: SECRET,
  eventTypes: ["github.*", "task.update"],
  enabled: true,
  disabledReason: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
} as Endpoint;

describe("the endpoint edit form", () => {
  test("starts from the stored values", () => {
    expect(endpointFormValues(endpoint)).toEqual({
      url: "https://example.com/hook",
      description: "Billing",
      eventTypes: "github.*, task.update",
    });
  });

  test.each([
    ["", ["*"]],
    [" , ", ["*"]],
    ["*", ["*"]],
    ["github.*,\ntask.update ", ["github.*", "task.update"]],
  ])("event types typed as %j are saved as %j", (typed, saved) => {
    const body = endpointUpdateBody({
      url: " https://x.example/ ",
      description: " d ",
      eventTypes: typed,
    });
    expect(body).toEqual({ url: "https://x.example/", description: "d", event_types: saved });
  });

  test("sends what PATCH /endpoints/:id accepts, so the same checks apply", () => {
    const body = endpointUpdateBody(endpointFormValues(endpoint));
    expect(parseEndpointInput(body, "update").ok).toBe(true);
  });
});

describe("SecretValue", () => {
  test("masks the secret but its kind", () => {
    expect(maskSecret(SECRET)).toBe(`whsec_${"•".repeat(16)}`);
    expect(maskSecret("plain")).toBe("•".repeat(16));
  });

  test("holds the secret hidden, with Reveal and Copy pointing at it (shown by app.js)", async () => {
    const parsed = await parseHtml(
      renderSync(<SecretValue secret={SECRET} label="Signing secret" />),
    );
    const value = parsed.elements.find((e) => e.attributes.class === "secret-value");
    expect(value?.attributes.hidden).toBeDefined();
    const buttons = parsed.elements.filter((e) => e.tag === "button");
    expect(
      buttons.map((b) => b.attributes["data-reveal-target"] ?? b.attributes["data-copy-target"]),
    ).toEqual([value?.attributes.id, value?.attributes.id]);
    expect(buttons.every((b) => b.attributes.hidden !== undefined)).toBe(true);
  });
});

describe("navKeyOf", () => {
  test.each([
    ["/dashboard", "events"],
    ["/dashboard/events/x", "events"],
    ["/dashboard/deliveries/x/retry", "endpoints"],
    ["/dashboard/endpoints", "endpoints"],
    ["/dashboard/relay/x", "relay"],
    ["/dashboard/hooks", "hooks"],
    ["/dashboard/changes", "changes"],
    ["/dashboard/failures/retry", "failures"],
  ])("%s belongs to %s", (path, key) => {
    expect(navKeyOf(path)).toBe(key as ReturnType<typeof navKeyOf>);
  });
});

describe("an endpoint's page after a rotation", () => {
  const render = (previousSecretUntil: Date | null) =>
    parseHtml(
      renderSync(
        <EndpointPage
          endpoint={{ ...endpoint, previousSecretUntil }}
          health={noHealth(endpoint)}
          chart=""
          recoveryWindow={{ since: "2026-11-19T10:00", until: "" }}
          deliveries={[]}
          nextCursor={null}
          query={{}}
          csrfToken="t"
          problems={[]}
          edit={{ values: endpointFormValues(endpoint), problems: {} }}
          now={new Date("2026-11-20T10:00:00Z")}
        />,
      ),
    );

  test("says until when the previous secret still signs", async () => {
    const parsed = await render(new Date("2026-11-21T10:00:00Z"));
    expect(parsed.text).toContain(
      "Previous secretstill signs beside it until 2026-11-21 10:00:00 UTC",
    );
  });

  test.each([
    ["never rotated", null],
    ["the overlap is over", new Date("2026-11-20T09:59:59Z")],
  ])("says nothing of it when %s", async (_name, until) => {
    expect((await render(until)).text).not.toContain("Previous secret");
  });
});
