/* WCAG 2.1 AA contrast, measured in the page (loaded by tests/browser/test_contrast.py).

Installs window.__contrast with:
  audit()          every visible text (text nodes, input values, placeholders, selected options)
                   against its effective background — SC 1.4.3: 4.5:1, 3:1 for large text
                   (>= 24 px, or >= 18.66 px and bold >= 700) — and every text-field border against
                   what surrounds it — SC 1.4.11: 3:1. Returns {checked, failures}.
  focus(el)        the focus indicator of the focused element (SC 1.4.11 / 2.4.7): its outline (or
                   that of the sibling or ancestor the CSS puts it on) against the colour beside it.

How the background is found: the element and its ancestors are composited from the canvas
(white) up — background colours with their alpha, `opacity` applied as a group over what lies
below (as the browser paints it). A gradient counts as each of its colour stops, an image as
both black and white (nothing can be assumed about it): the worst case is the one judged.
Disabled controls are exempt (WCAG 1.4.3 "incidental"), and so is invisible text
(display/visibility/opacity, clipped "visually-hidden" text, text moved off the canvas).
*/
(() => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });

  const WHITE = { r: 255, g: 255, b: 255, a: 1 };
  const BLACK = { r: 0, g: 0, b: 0, a: 1 };

  function parseColor(value) {
    const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(value);
    if (m) {
      let a = m[4] === undefined ? 1 : m[4].endsWith("%") ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
      return { r: +m[1], g: +m[2], b: +m[3], a };
    }
    if (value === "transparent") return { r: 0, g: 0, b: 0, a: 0 };
    // Anything else (color(), oklch(), a keyword): let the canvas paint it and read the pixel.
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "rgba(0,0,0,0)";
    ctx.fillStyle = value;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return { r, g, b, a: a / 255 };
  }

  const over = (top, below) => ({
    r: top.r * top.a + below.r * (1 - top.a),
    g: top.g * top.a + below.g * (1 - top.a),
    b: top.b * top.a + below.b * (1 - top.a),
    a: 1,
  });
  const mix = (below, inner, alpha) => over({ ...inner, a: alpha }, below);

  function luminance(c) {
    const lin = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  }
  function ratio(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  const hex = (c) =>
    "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("") +
    (c.a !== undefined && c.a < 1 ? ` (α ${Math.round(c.a * 100) / 100})` : "");

  /* The colours an element's own background may show at a point: its background colour, then
     each stop of a gradient painted over it; an image may be anything (black and white). */
  function backgroundOptions(style) {
    const base = parseColor(style.backgroundColor);
    const image = style.backgroundImage;
    if (!image || image === "none") return [{ color: base, kind: "" }];
    const options = [];
    if (/url\(/.test(image)) {
      options.push({ color: BLACK, kind: "image" }, { color: WHITE, kind: "image" });
    }
    const stops = image.match(/rgba?\([^)]*\)|transparent/g) || [];
    for (const stop of stops) options.push({ color: stop, kind: "gradient" });
    if (!options.length) options.push({ color: BLACK, kind: "image" }, { color: WHITE, kind: "image" });
    return options.map((o) => ({
      layers: [base, typeof o.color === "string" ? parseColor(o.color) : o.color],
      kind: o.kind,
    }));
  }

  function chainOf(el) {
    const chain = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) chain.unshift(node);
    return chain;
  }

  /* Every {fg, bg, kind} pair the element's text may be painted as: composited from the canvas
     up through its ancestors, opacity applied group by group. */
  function paint(el, fg) {
    const chain = chainOf(el);
    const styles = chain.map((node) => getComputedStyle(node));
    const walk = (i, below) => {
      const style = styles[i];
      const results = [];
      for (const option of backgroundOptions(style)) {
        let here = below;
        for (const layer of option.layers || [option.color]) here = over(layer, here);
        const inner = i === chain.length - 1
          ? [{ fg: over(fg, here), bg: here, kind: option.kind }]
          : walk(i + 1, here);
        const alpha = parseFloat(style.opacity);
        for (const r of inner) {
          const kind = r.kind || option.kind;
          results.push(alpha < 1
            ? { fg: mix(below, r.fg, alpha), bg: mix(below, r.bg, alpha), kind }
            : { ...r, kind });
        }
      }
      return results.slice(0, 64);
    };
    return walk(0, WHITE);
  }

  function worst(pairs) {
    let found = null;
    for (const p of pairs) {
      const r = ratio(p.fg, p.bg);
      if (!found || r < found.ratio) found = { ...p, ratio: r };
    }
    return found;
  }

  function selectorOf(el) {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      let part = node.localName;
      if (node.id) part += "#" + node.id;
      const classes = [...node.classList].slice(0, 3);
      if (classes.length) part += "." + classes.join(".");
      parts.unshift(part);
      if (node.id) break;
    }
    return parts.join(" > ");
  }

  function hiddenByClipping(el) {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      const rect = node.getBoundingClientRect();
      const clips = style.overflow !== "visible" || style.clip !== "auto" || style.clipPath !== "none";
      if (clips && (rect.width <= 1 || rect.height <= 1)) return true;
    }
    return false;
  }

  function visible(el, rect) {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true,
                              opacityProperty: true, visibilityProperty: true })) return false;
    if (rect.width < 1 || rect.height < 1) return false;
    if (rect.right + scrollX <= 0 || rect.bottom + scrollY <= 0) return false;  // moved off canvas
    return !hiddenByClipping(el);
  }

  const exempt = (el) => !!el.closest(":disabled, [aria-disabled=true], [inert]");

  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "OPTION", "OPTGROUP", "TITLE",
                        "svg", "SVG", "TEXTAREA", "SELECT"]);
  const TEXT_INPUTS = new Set(["text", "search", "tel", "email", "password", "number", "url",
                               "date", "datetime-local", "time", "month", "week", ""]);

  function largeText(style) {
    const size = parseFloat(style.fontSize);
    const weight = parseInt(style.fontWeight, 10) || 400;
    return size >= 24 || (size >= 18.66 && weight >= 700);
  }

  function judgeText(el, text, fg, style, what) {
    const found = worst(paint(el, fg));
    const required = largeText(style) ? 3 : 4.5;
    return {
      ok: found.ratio >= required - 1e-6,
      selector: selectorOf(el),
      text: text.replace(/\s+/g, " ").trim().slice(0, 60),
      what,
      fg: hex(fg),
      fgPainted: hex(found.fg),
      bg: hex(found.bg),
      background: found.kind || "colour",
      ratio: Math.round(found.ratio * 100) / 100,
      required,
      size: style.fontSize,
      weight: style.fontWeight,
    };
  }

  function textChecks() {
    const byElement = new Map();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.replace(/[\s\u200b]+/g, " ").trim();
      if (!text) continue;
      const el = node.parentElement;
      if (!el || SKIP.has(el.tagName) || el.closest("svg, select, option, template")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rect = range.getBoundingClientRect();
      if (!visible(el, rect)) continue;
      if (exempt(el)) continue;
      byElement.set(el, (byElement.get(el) || "") + " " + text);
    }
    const results = [];
    for (const [el, text] of byElement) {
      const style = getComputedStyle(el);
      results.push(judgeText(el, text, parseColor(style.color), style, "text"));
    }
    // Form controls: what is typed or chosen, and the placeholder while empty.
    for (const el of document.querySelectorAll("input, textarea, select")) {
      const type = el.localName === "input" ? (el.getAttribute("type") || "").toLowerCase() : el.localName;
      if (el.localName === "input" && !TEXT_INPUTS.has(type)) continue;
      const rect = el.getBoundingClientRect();
      if (!visible(el, rect) || exempt(el)) continue;
      const style = getComputedStyle(el);
      if (el.localName === "select") {
        const option = el.selectedOptions[0];
        if (option && option.text.trim()) {
          results.push(judgeText(el, option.text, parseColor(style.color), style, "selected option"));
        }
      } else if (el.value) {
        results.push(judgeText(el, el.value, parseColor(style.color), style, "value"));
      } else if (el.placeholder) {
        const placeholder = getComputedStyle(el, "::placeholder");
        results.push(judgeText(el, el.placeholder, parseColor(placeholder.color), placeholder,
                               "placeholder"));
      } else if (type === "date" || type === "datetime-local" || type === "time") {
        results.push(judgeText(el, "(" + type + " field)", parseColor(style.color), style, "value"));
      }
    }
    return results;
  }

  /* SC 1.4.11: a text field is found by its border. Its colour against what surrounds the field
     (or, failing that, the field's own fill against its surroundings) must reach 3:1. */
  function borderChecks() {
    const results = [];
    for (const el of document.querySelectorAll("input, textarea, select")) {
      const type = el.localName === "input" ? (el.getAttribute("type") || "").toLowerCase() : el.localName;
      if (el.localName === "input" && !TEXT_INPUTS.has(type)) continue;
      const rect = el.getBoundingClientRect();
      if (!visible(el, rect) || exempt(el)) continue;
      const style = getComputedStyle(el);
      const sides = ["Top", "Right", "Bottom", "Left"].filter(
        (side) => parseFloat(style[`border${side}Width`]) > 0 && style[`border${side}Style`] !== "none");
      const outside = worst(paint(el.parentElement, { r: 0, g: 0, b: 0, a: 0 })).bg;
      const fill = worst(paint(el, { r: 0, g: 0, b: 0, a: 0 })).bg;
      let best = { ratio: ratio(fill, outside), fg: fill, what: "field fill" };
      for (const side of sides) {
        const border = over(parseColor(style[`border${side}Color`]), outside);
        const r = ratio(border, outside);
        if (r > best.ratio) best = { ratio: r, fg: border, what: `border ${side.toLowerCase()}` };
      }
      results.push({
        ok: best.ratio >= 3 - 1e-6,
        selector: selectorOf(el),
        text: el.name || el.id || type,
        what: `control boundary (${best.what})`,
        fg: hex(best.fg),
        bg: hex(outside),
        ratio: Math.round(best.ratio * 100) / 100,
        required: 3,
      });
    }
    return results;
  }

  function outlineOf(node) {
    const style = getComputedStyle(node);
    if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) <= 0) return null;
    return { node, style };
  }

  /* The focus indicator: the outline the CSS draws on the focused element, or — for inputs
     hidden under a custom control — on its next sibling or an ancestor up to three levels up. */
  function focus(el) {
    if (!el || el === document.body) return null;
    let found = outlineOf(el);
    if (!found || !el.checkVisibility({ checkOpacity: true, opacityProperty: true })) {
      const candidates = [el.nextElementSibling];
      for (let node = el.parentElement, i = 0; node && i < 3; node = node.parentElement, i++) {
        candidates.push(node);
      }
      found = candidates.filter(Boolean).map(outlineOf).find(Boolean) || found;
    }
    const label = el.localName === "select" ? (el.selectedOptions[0] || {}).text || "" : el.innerText || el.value || el.name || "";
    const base = { selector: selectorOf(el), text: label.replace(/\s+/g, " ").trim().slice(0, 40) };
    if (!found) {
      // No outline: a box-shadow ring still counts if it is strong enough.
      const shadow = getComputedStyle(el).boxShadow;
      const colour = shadow && shadow !== "none" && (shadow.match(/rgba?\([^)]*\)/) || [])[0];
      if (!colour) return { ...base, ok: false, what: "no focus indicator", ratio: 0, required: 3 };
      const beside = worst(paint(el.parentElement, { r: 0, g: 0, b: 0, a: 0 })).bg;
      const ring = over(parseColor(colour), beside);
      const r = ratio(ring, beside);
      return { ...base, ok: r >= 3, what: "focus ring (box-shadow)", fg: hex(ring), bg: hex(beside),
               ratio: Math.round(r * 100) / 100, required: 3 };
    }
    const offset = parseFloat(found.style.outlineOffset) || 0;
    // Drawn outside the box it sits over the parent's background; inside, over its own.
    const under = offset + parseFloat(found.style.outlineWidth) > 0 && offset >= 0
      ? found.node.parentElement : found.node;
    const beside = worst(paint(under, { r: 0, g: 0, b: 0, a: 0 })).bg;
    const ring = over(parseColor(found.style.outlineColor), beside);
    const r = ratio(ring, beside);
    return { ...base, ok: r >= 3 - 1e-6, what: "focus outline", on: selectorOf(found.node),
             fg: hex(ring), bg: hex(beside), ratio: Math.round(r * 100) / 100, required: 3 };
  }

  function audit({ everything = false } = {}) {
    const texts = textChecks();
    const borders = borderChecks();
    const all = [...texts, ...borders];
    return { checked: all.length, texts: texts.length, borders: borders.length,
             failures: all.filter((r) => !r.ok), ...(everything ? { results: all } : {}) };
  }

  window.__contrast = { audit, focus, ratio: (a, b) => ratio(parseColor(a), parseColor(b)) };
  return true;
})();
