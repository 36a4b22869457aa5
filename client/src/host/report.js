// The organizer report in the host console: the key figures, four charts (visits
// and mean stay per table, contacts per attendee, arrivals over time) each with
// its table, and the CSV. Counts only: the report has no person in it.

import { h, fill, downloadBlob } from "../dom.js";
import { t, formatTime } from "../i18n.js";
import { localText } from "../state.js";
import { api } from "../api.js";
import { barChart, columnChart } from "./charts.js";

const one = (n) => (typeof n === "number" ? (Math.round(n * 10) / 10).toString() : "–");
const minutes = (seconds) => Math.round((seconds / 60) * 10) / 10;

/** Contacts per attendee as columns: one per count, or ranges when the counts run long. */
function contactColumns(histogram) {
  if (histogram.length <= 16) return histogram.map((n, i) => ({ label: String(i), value: n }));
  const width = Math.ceil(histogram.length / 12);
  const out = [];
  for (let lo = 0; lo < histogram.length; lo += width) {
    const hi = Math.min(histogram.length - 1, lo + width - 1);
    out.push({ label: lo === hi ? String(lo) : `${lo}–${hi}`, value: histogram.slice(lo, hi + 1).reduce((a, b) => a + b, 0) });
  }
  return out;
}

export function reportSection(ctx) {
  const body = h("div", { class: "report", "aria-live": "polite" });
  const csv = h("button", {
    type: "button", class: "button",
    onclick: async () => {
      const f = await api.reportCsv(ctx.slug, ctx.token);
      if (f.ok) downloadBlob(f.data, `kohtaamo-report-${ctx.slug}.csv`); else ctx.notifyError(f.error);
    },
  }, t("report.csv"));
  const show = h("button", { type: "button", class: "button primary", onclick: () => load() }, t("report.show"));

  async function load() {
    const r = await api.report(ctx.slug, ctx.token);
    if (!r.ok) { fill(body, h("p", { class: "form-status" }, ctx.errorText(r.error))); return; }
    show.textContent = t("report.refresh");
    render(r.data);
  }

  function render(d) {
    // Two charts side by side when each still gets 26rem; drawn at their real width.
    const full = body.clientWidth || 480;
    const cols = full >= 2 * 416 + 16 ? 2 : 1;
    const width = Math.floor((full - (cols - 1) * 16) / cols) - 28;
    const c = d.contacts_per_attendee || {};
    const m = d.people_met_per_attendee || {};
    const rooms = (d.rooms || []).map((row) => ({ ...row, name: localText(row.titles, row.title) }));
    const parts = [
      h("dl", { class: "stats" },
        h("div", {}, h("dt", {}, t("report.attendees")), h("dd", {}, String(d.attendees))),
        h("div", {}, h("dt", {}, t("report.peak")), h("dd", {}, String(d.peak_concurrent))),
        h("div", {}, h("dt", {}, t("report.exchanges")), h("dd", {}, String(d.exchanges))),
        h("div", {}, h("dt", {}, t("report.contacts")), h("dd", {}, `${one(c.mean)} / ${one(c.median)} / ${c.max ?? 0}`)),
        // issue 13: people met (rounds and tables), the share who met five or more
        h("div", {}, h("dt", {}, t("report.met")), h("dd", {}, `${one(m.mean)} / ${one(m.median)} / ${m.max ?? 0}`)),
        h("div", {}, h("dt", {}, t("report.metFive")), h("dd", {}, `${Math.round((d.met_five_or_more || 0) * 100)} %`)),
        h("div", {}, h("dt", {}, t("report.roundPairs")), h("dd", {}, String(d.round_pairs_new ?? 0)))),
    ];
    const charts = [];
    if (rooms.length) {
      const byVisits = rooms.reduce((a, b) => (b.visits > a.visits ? b : a));
      charts.push(barChart({
        title: t("report.visitsChart"), width, unit: t("report.visits"),
        summary: byVisits.visits ? t("report.visitsSummary", { title: byVisits.name, count: byVisits.visits }) : t("report.noData"),
        items: rooms.map((row) => ({ label: row.name, value: row.visits })),
        head: [t("report.room"), t("report.visits")],
      }));
      const byStay = rooms.reduce((a, b) => (b.mean_dwell_s > a.mean_dwell_s ? b : a));
      charts.push(barChart({
        title: t("report.stayChart"), width, unit: t("report.dwellMin"), format: one,
        summary: byStay.mean_dwell_s ? t("report.staySummary", { title: byStay.name, minutes: one(minutes(byStay.mean_dwell_s)) }) : t("report.noData"),
        items: rooms.map((row) => ({ label: row.name, value: minutes(row.mean_dwell_s || 0) })),
        head: [t("report.room"), t("report.dwellMin")],
      }));
    }
    const hist = d.contacts_histogram;
    if (Array.isArray(hist) && hist.length) {
      const mode = hist.indexOf(Math.max(...hist));
      const cols = contactColumns(hist);
      charts.push(columnChart({
        title: t("report.contactsChart"), width,
        summary: t("report.contactsSummary", { count: d.attendees, mode }),
        items: cols, head: [t("report.contactsCol"), t("report.attendeesCol")],
        tick: (i) => cols.length <= 16 || i % 2 === 0,
      }));
    }
    const arr = d.arrivals;
    if (arr && arr.start != null && arr.counts?.length) {
      const step = arr.bucket_s * 1000;
      const cols = arr.counts.map((n, i) => ({ label: formatTime(arr.start + i * step), value: n }));
      const every = Math.max(1, Math.ceil(cols.length / 6));
      charts.push(columnChart({
        title: t("report.arrivalsChart"), width,
        summary: t("report.arrivalsSummary", {
          count: arr.counts.reduce((a, b) => a + b, 0), from: cols[0].label,
          to: formatTime(arr.start + arr.counts.length * step), minutes: Math.round(arr.bucket_s / 60),
        }),
        items: cols, head: [t("report.timeCol"), t("report.arrivalsCol")], tick: (i) => i % every === 0,
      }));
    }
    fill(body, parts, charts.length ? h("div", { class: "charts" }, charts) : h("p", { class: "hint" }, t("report.noData")),
      h("div", { class: "row" }, csv));
  }

  const el = h("div", { class: "stack" },
    h("div", { class: "row" }, show), body);
  return { el, load, update() {} };
}
