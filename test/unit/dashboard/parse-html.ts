/**
 * Reads rendered HTML the way a browser's parser would (Bun's HTMLRewriter), so tests can
 * ask what elements and attributes a page really has, and what text a user sees, rather
 * than search the markup for substrings.
 */
export interface ParsedHtml {
  /** Every element's tag name, in document order. */
  readonly tags: readonly string[];
  /** Every element's attributes, decoded, in document order. */
  readonly elements: readonly { tag: string; attributes: Record<string, string> }[];
  /** The decoded text of the document. */
  readonly text: string;
}

export async function parseHtml(html: string): Promise<ParsedHtml> {
  const elements: { tag: string; attributes: Record<string, string> }[] = [];
  const textParts: string[] = [];
  await new HTMLRewriter()
    .on("*", {
      element(element) {
        const attributes = [...element.attributes].map(([name, value]) => [
          name,
          decodeEntities(value),
        ]);
        elements.push({ tag: element.tagName, attributes: Object.fromEntries(attributes) });
      },
    })
    .onDocument({
      text(chunk) {
        textParts.push(chunk.text);
      },
    })
    .transform(new Response(html))
    .text();
  return { tags: elements.map((e) => e.tag), elements, text: decodeEntities(textParts.join("")) };
}

/**
 * HTMLRewriter hands text and attribute values over as written; decode the entities that
 * escaping produces, as the browser would.
 */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_match, entity: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (entity.startsWith("#x") || entity.startsWith("#X")) {
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    }
    if (entity.startsWith("#")) return String.fromCodePoint(Number(entity.slice(1)));
    return named[entity.toLowerCase()] ?? "";
  });
}

/** Elements with an attribute named like an event handler (onerror, onclick, …). */
export function handlerAttributes(parsed: ParsedHtml): string[] {
  return parsed.elements.flatMap((e) =>
    Object.keys(e.attributes).filter((name) => name.toLowerCase().startsWith("on")),
  );
}
