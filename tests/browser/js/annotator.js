/* Resolve exported W3C Web Annotations on the page with Apache Annotator, the reference
 * implementation of the W3C selectors. Bundled by esbuild into one IIFE (build/annotator.js)
 * that the browser test adds to the reading view; it defines `window.resolveAnnotations`.
 *
 * For every annotation and every selector of its target (the alternatives of the W3C model), the
 * selector is matched as a client would: a CssSelector picks the element and its `refinedBy`
 * selector is matched inside it (§4.2.9); a bare text selector is matched against the whole
 * body of the page. The result says what was found; the Python test decides what passes.
 */
import {
  createCssSelectorMatcher,
  createTextPositionSelectorMatcher,
  createTextQuoteSelectorMatcher,
  describeTextPosition,
  describeTextQuote,
} from "@apache-annotator/dom";
import { makeRefinable } from "@apache-annotator/selector";

const matcherFor = makeRefinable((selector) => {
  switch (selector.type) {
    case "CssSelector":
      return createCssSelectorMatcher(selector);
    case "TextQuoteSelector":
      return createTextQuoteSelectorMatcher(selector);
    case "TextPositionSelector":
      return createTextPositionSelectorMatcher(selector);
    default:
      throw new Error(`unsupported selector type ${selector.type}`);
  }
});

// The selector that finally picks the text, at the end of the refinement chain.
function leafOf(selector) {
  let leaf = selector;
  while (leaf.refinedBy) {
    leaf = leaf.refinedBy;
  }
  return leaf;
}

// The element the text offsets count from: what the CssSelector picks, else the page's body.
async function scopeOf(selector) {
  if (selector.type !== "CssSelector") {
    return { scope: document.body, elements: 1 };
  }
  const elements = [];
  for await (const element of createCssSelectorMatcher(selector)(document)) {
    elements.push(element);
  }
  return { scope: elements[0] || null, elements: elements.length };
}

async function resolveSelector(selector) {
  const leaf = leafOf(selector);
  const { scope, elements } = await scopeOf(selector);
  const result = { type: leaf.type, elements, matches: [] };
  if (!scope) {
    return result;
  }
  const root = selector.type === "CssSelector" ? document : scope;
  try {
    for await (const range of matcherFor(selector)(root)) {
      const position = await describeTextPosition(range, scope);
      const quote = await describeTextQuote(range, scope);
      // The quote Apache Annotator writes for the range must lead back to that range alone.
      const again = [];
      for await (const found of createTextQuoteSelectorMatcher(quote)(scope)) {
        again.push(found.toString());
      }
      result.matches.push({
        text: range.toString(),
        start: position.start,
        end: position.end,
        described: quote.exact,
        redescribed: again,
      });
    }
  } catch (error) {
    result.error = String(error);
  }
  return result;
}

window.resolveAnnotations = async function resolveAnnotations(annotations) {
  const results = [];
  for (const annotation of annotations) {
    const target = annotation.target;
    const selectors = Array.isArray(target.selector) ? target.selector : [target.selector];
    const resolved = [];
    for (const selector of selectors) {
      resolved.push(await resolveSelector(selector));
    }
    results.push({ id: annotation.id, source: target.source, selectors: resolved });
  }
  return results;
};
