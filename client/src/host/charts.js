// Small charts drawn as inline SVG: horizontal bars and columns. No library.
//
// Each chart is a <figure>: the SVG is an image with a one-sentence summary as
// its name, and the same figures follow as a table (inside <details>) for
// screen readers and for reading exact values. Labels are SVG text, so people's
// text goes in as text nodes, never markup. Drawn at the width the figure has
// (1 SVG unit = 1 CSS pixel), so text stays the page's size on a phone.

import { h, newId } from "../dom.js";
import { t } from "../i18n.js";

const NS = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const FONT = 13;
const clip = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const nice = (n) => {
  if (n <= 5) return Math.max(1, Math.ceil(n));
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= n);
};

/** The figure around a chart: caption, the SVG (as an image named by `summary`), the table. */
function figure({ title, summary, svg, head, rows }) {
  const capId = newId("fig");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${title}. ${summary}`);
  return h("figure", { class: "chart", "aria-labelledby": capId },
    h("figcaption", { id: capId }, h("span", { class: "chart-title" }, title), h("span", { class: "chart-summary" }, summary)),
    svg,
    h("details", { class: "chart-data" },
      h("summary", {}, t("report.asTable")),
      h("table", { class: "report-table" },
        h("caption", { class: "sr-only" }, title),
        h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows.map(([label, ...cells]) => h("tr", {}, h("th", { scope: "row", dir: "auto" }, label), cells.map((c) => h("td", {}, c))))))));
}

/**
 * Horizontal bars, one per labelled value: `items` [{label, value}], `format(v)`
 * for the value printed after each bar.
 */
export function barChart({ title, summary, items, width, unit, format = String, head }) {
  const w = Math.max(280, Math.min(760, width || 480));
  const labelW = Math.min(200, Math.round(w * 0.38));
  const row = 26;
  const top = 6;
  const max = nice(Math.max(...items.map((i) => i.value), 0));
  const plot = w - labelW - 56;
  const svg = s("svg", { width: w, height: top + items.length * row + 6, viewBox: `0 0 ${w} ${top + items.length * row + 6}`, class: "chart-svg" });
  items.forEach((item, i) => {
    const y = top + i * row;
    const len = max ? Math.round((item.value / max) * plot) : 0;
    svg.append(
      s("text", { x: labelW - 8, y: y + row / 2 + 4, "text-anchor": "end", "font-size": FONT, class: "chart-label" },
        s("title", {}, item.label), clip(item.label, Math.floor(labelW / 7.5))),
      s("rect", { x: labelW, y: y + 4, width: Math.max(len, item.value ? 2 : 0), height: row - 9, rx: 3, class: "chart-bar" }),
      s("text", { x: labelW + len + 6, y: y + row / 2 + 4, "font-size": FONT, class: "chart-value" }, format(item.value)));
  });
  svg.append(s("line", { x1: labelW, x2: labelW, y1: top, y2: top + items.length * row, class: "chart-axis" }));
  return figure({ title, summary, svg, head: head || ["", unit], rows: items.map((i) => [i.label, format(i.value)]) });
}

/**
 * Columns over an ordered axis (a histogram, a time line): `items` [{label,
 * value}]; `tick(i)` says whether column i gets its label under the axis.
 */
export function columnChart({ title, summary, items, width, head, tick = () => true }) {
  const w = Math.max(280, Math.min(760, width || 480));
  const left = 34;
  const bottom = 22;
  const height = 170;
  const plotH = height - bottom - 8;
  const max = nice(Math.max(...items.map((i) => i.value), 0));
  const step = (w - left - 4) / Math.max(1, items.length);
  const barW = Math.max(1, Math.min(40, step * 0.78));
  const svg = s("svg", { width: w, height, viewBox: `0 0 ${w} ${height}`, class: "chart-svg" });
  for (const v of [0, max / 2, max]) {
    const y = 8 + plotH - (v / max) * plotH;
    svg.append(s("line", { x1: left, x2: w - 4, y1: y, y2: y, class: v ? "chart-grid" : "chart-axis" }),
      s("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": FONT - 1, class: "chart-label" }, String(Math.round(v * 10) / 10)));
  }
  items.forEach((item, i) => {
    const x = left + i * step + (step - barW) / 2;
    const hgt = max ? (item.value / max) * plotH : 0;
    svg.append(s("rect", { x, y: 8 + plotH - hgt, width: barW, height: hgt, class: "chart-bar" },
      s("title", {}, `${item.label}: ${item.value}`)));
    if (tick(i)) {
      svg.append(s("text", { x: x + barW / 2, y: height - 6, "text-anchor": "middle", "font-size": FONT - 1, class: "chart-label" }, item.label));
    }
  });
  return figure({ title, summary, svg, head, rows: items.map((i) => [i.label, String(i.value)]) });
}
