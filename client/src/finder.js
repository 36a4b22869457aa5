// Finding people who are not on the floor now (they left, or have not come
// yet), so a card request can still reach them: it waits for them, as every
// pending request does. Uses `GET /api/events/{event}/people?absent=1`.

import { h, setText, userText, newId } from "./dom.js";
import { t, isolate } from "./i18n.js";
import { api } from "./api.js";
import { face } from "./face.js";

/** `filter()` gives the people list's current {q, interest}. Returns {el, reset()}. */
export function finderView(ctx, filter) {
  let next = null;
  let asked = { q: "", interest: "" };
  const titleId = newId("finder");
  const status = h("p", { class: "hint", "aria-live": "polite" });
  const list = h("ul", { class: "finder-list", role: "list" });
  const search = h("button", { type: "button", class: "button small", onclick: () => load(false) }, t("finder.search"));
  const more = h("button", { type: "button", class: "button small", hidden: true, onclick: () => load(true) }, t("finder.more"));
  const el = h("section", { class: "finder", "aria-labelledby": titleId },
    h("h3", { id: titleId }, t("finder.title")),
    h("p", { class: "hint" }, t("finder.hint")),
    search, status, list, more);

  const ask = async (p, li) => {
    await ctx.requestCard(p.id, p.name);
    li.querySelector(".finder-ask")?.replaceWith(h("span", { class: "badge" }, t("people.requested")));
    li.focus();
  };

  const item = (p) => {
    const state = ctx.state;
    const contact = state.contacts.has(p.id);
    const requested = state.sentRequests.has(p.id);
    const org = [p.title, p.organization].filter(Boolean).map(isolate).join(", ");
    const li = h("li", { class: "finder-person", tabindex: "-1" },
      h("div", { class: "person-row" },
        face(p),
        h("span", { class: "person-text" },
          userText("span", p.name, { class: "person-name" }),
          org ? h("span", { class: "person-org" }, org) : null,
          p.interests?.length ? h("span", { class: "tags" }, p.interests.map((i) => userText("span", i, { class: "tag" }))) : null),
        contact ? h("span", { class: "badge ok" }, t("people.isContact"))
          : requested ? h("span", { class: "badge" }, t("people.requested"))
            : h("button", { type: "button", class: "button small finder-ask", "aria-label": t("finder.askCardOf", { name: p.name }), onclick: () => ask(p, li) }, t("people.askCard"))));
    return li;
  };

  async function load(again) {
    if (!again) asked = filter();
    const params = { absent: 1, q: asked.q, interest: asked.interest, after: again ? next : null, limit: 20 };
    search.disabled = more.disabled = true;
    setText(status, t("finder.searching"));
    const res = await api.findPeople(ctx.slug, ctx.token, params);
    search.disabled = more.disabled = false;
    if (!res.ok) { setText(status, ctx.errorText(res.error)); return; }
    if (!again) list.replaceChildren();
    const first = res.data.people.map(item);
    list.append(...first);
    next = res.data.next;
    more.hidden = !next;
    const shown = list.children.length;
    setText(status, shown ? t("finder.found", { count: shown }) : t("finder.none"));
    if (again && first.length) first[0].focus();
  }

  return {
    el,
    /** The filter changed: earlier results no longer answer it. */
    reset() {
      if (!list.children.length && !status.textContent) return;
      list.replaceChildren();
      next = null;
      more.hidden = true;
      setText(status, "");
    },
  };
}
