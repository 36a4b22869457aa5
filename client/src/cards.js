// Business cards: incoming requests, my contacts (and their download), my own
// card, and erasing my data.

import { h, reconcile, setText, downloadBlob, userText } from "./dom.js";
import { t, formatDateTime, isolate } from "./i18n.js";
import { AREAS, initials, requestAnswered, olderRequests, setContacts, setMyCard } from "./state.js";
import { CLIENT_EVENTS as C } from "./protocol.js";
import { openDialog, confirmDialog } from "./dialog.js";
import { profileForm } from "./profile.js";
import { face } from "./face.js";
import { api } from "./api.js";

/**
 * Answer a card request (from the requests list or the notification centre).
 * The exchange is announced once, by ctx.announceExchange, whichever of the
 * ack and the `card:exchanged` broadcast comes first.
 */
export async function answerRequest(ctx, req, accept) {
  const ack = await ctx.request(C.CARD_RESPOND, { request: req.request, accept });
  if (!ack.ok) { ctx.notifyError(ack.error); return false; }
  ctx.apply(requestAnswered(ctx.state, req.request));
  if (accept) {
    if (ack.contact) ctx.apply(ctx.addContact(ack.contact));
    ctx.announceExchange(req.from.id, req.from.name);
  } else {
    ctx.notify(t("cards.youDeclined", { name: req.from.name }));
  }
  return true;
}

/**
 * The card requests: newest first, older pages fetched from `GET /api/me/requests`
 * when the list is scrolled to its end or "Show older" is pressed. Shown only
 * while there are requests.
 */
export function requestsView(ctx) {
  const list = h("ul", { class: "requests", role: "list" });
  const more = h("button", { type: "button", class: "button small quiet", hidden: true, onclick: () => loadOlder(true) });
  const heading = h("h2", { id: "requests-title", tabindex: "-1" }, t("cards.requestsTitle"));
  const box = h("div", { class: "requests-scroll" }, list, more);
  const el = h("section", { class: "panel requests-panel", "aria-labelledby": "requests-title", hidden: true },
    heading, box);
  let loading = false;

  async function loadOlder(focus = false) {
    const st = ctx.state;
    if (loading || !st.requestsNext) return;
    loading = true;
    const r = await api.requests(ctx.token, st.requestsNext);
    loading = false;
    if (!r.ok) { ctx.notifyError(r.error); return; }
    const firstNew = r.data.requests.at(-1)?.request;
    ctx.apply(olderRequests(st, r.data.requests, r.data.next));
    if (focus) (list.querySelector(`[data-key="${firstNew}"] button`) || heading).focus();
  }
  box.addEventListener("scroll", () => {
    if (box.scrollTop + box.clientHeight >= box.scrollHeight - 40) loadOlder();
  });

  const answer = async (req, accept) => {
    const li = list.querySelector(`[data-key="${CSS.escape(String(req.request))}"]`);
    const next = li?.nextElementSibling || li?.previousElementSibling;
    if (!(await answerRequest(ctx, req, accept))) return;
    // Focus to the next request, else this list's heading, else the people list.
    const target = next?.isConnected ? next.querySelector("button") : null;
    if (target) target.focus();
    else if (!el.hidden) heading.focus();
    else document.getElementById("side-title")?.focus();
  };

  return {
    el,
    update(changes) {
      if (!changes.has(AREAS.REQUESTS)) return;
      const st = ctx.state;
      const reqs = [...st.requests].reverse();
      el.hidden = reqs.length === 0;
      more.hidden = !st.requestsNext;
      setText(more, t("cards.showOlder"));
      reconcile(list, reqs, (r) => r.request,
        (r) => h("li", { class: "request" },
          h("p", {}, face(r.from, "face-inline"), userText("strong", r.from.name),
            r.from.organization ? h("span", { class: "hint" }, " · ", userText("bdi", r.from.organization)) : null,
            h("span", { class: "block" }, t("cards.wantsYourCard"))),
          h("div", { class: "row" },
            h("button", { type: "button", class: "button primary small", onclick: () => answer(r, true), "aria-label": t("cards.acceptFrom", { name: r.from.name }) }, t("cards.accept")),
            h("button", { type: "button", class: "button small", onclick: () => answer(r, false), "aria-label": t("cards.declineFrom", { name: r.from.name }) }, t("cards.decline")))),
        () => {});
    },
  };
}

/** Phone "Cards" view: my card and my contacts, next to the requests. */
export function myCardsView(ctx) {
  const contacts = h("button", { type: "button", class: "button", onclick: () => openContacts(ctx) });
  const el = h("section", { class: "panel my-cards", "aria-labelledby": "my-cards-title" },
    h("h2", { id: "my-cards-title" }, t("cards.mineTitle")),
    h("p", { class: "hint" }, t("cards.mineHint")),
    h("div", { class: "row" },
      h("button", { type: "button", class: "button", onclick: () => openMyCard(ctx) }, t("mycard.button")),
      contacts));
  return {
    el,
    update(changes) { if (changes.has(AREAS.CONTACTS)) setText(contacts, contactsLabel(ctx.state)); },
  };
}

function cardLines(card) {
  const lines = [];
  const sub = [card.title, card.organization].filter(Boolean).map(isolate).join(", ");
  if (sub) lines.push(userText("p", sub, { class: "card-sub" }));
  if (card.email) lines.push(h("p", {}, userText("a", card.email, { href: `mailto:${card.email}` })));
  if (card.phone) lines.push(h("p", {}, userText("a", card.phone, { href: `tel:${card.phone.replace(/\s+/g, "")}` })));
  if (card.website && /^https?:\/\//i.test(card.website)) {
    lines.push(h("p", {}, userText("a", card.website, { href: card.website, rel: "noopener noreferrer nofollow", target: "_blank" })));
  }
  if (card.bio) lines.push(userText("p", card.bio, { class: "card-bio" }));
  const tags = [...(card.languages || []), ...(card.interests || [])];
  if (tags.length) lines.push(h("p", { class: "tags" }, tags.map((x) => userText("span", x, { class: "tag" }))));
  return lines;
}

/** The contacts dialog; loads the list from the API when opened. */
export async function openContacts(ctx) {
  const res = await api.contacts(ctx.token);
  if (res.ok) ctx.apply(setContacts(ctx.state, res.data));
  const contacts = [...ctx.state.contacts.values()].sort((a, b) => b.at - a.at);
  const download = async (format) => {
    const r = await api.contactsFile(ctx.token, format);
    if (!r.ok) { ctx.notifyError(r.error); return; }
    downloadBlob(r.data, `kohtaamo-contacts.${format}`);
    ctx.notify(t("contacts.downloaded"));
  };
  await openDialog({
    title: t("contacts.title"),
    className: "wide",
    build: () => h("div", { class: "contacts" },
      !res.ok ? h("p", { class: "form-status" }, ctx.errorText(res.error)) : null,
      contacts.length === 0
        ? h("p", { class: "hint" }, t("contacts.empty"))
        : h("ul", { class: "contact-list", role: "list" }, contacts.map((c) => {
          const photo = ctx.state.people.get(c.person)?.photo;
          return h("li", { class: "contact" },
            face({ id: c.person, name: c.card.name, photo }),
            h("div", {},
              userText("h3", c.card.name),
              cardLines(c.card),
              h("p", { class: "hint" }, t("contacts.metIn", { title: c.met_in_title, time: formatDateTime(c.at) }))));
        })),
      h("div", { class: "row end" },
        h("button", { type: "button", class: "button", onclick: () => download("vcf"), disabled: contacts.length === 0 }, t("contacts.downloadVcf")),
        h("button", { type: "button", class: "button", onclick: () => download("csv"), disabled: contacts.length === 0 }, t("contacts.downloadCsv")))),
  });
}

/** Edit my card; also the way to erase my data. */
export async function openMyCard(ctx) {
  const res = await api.me(ctx.token);
  const card = res.ok ? res.data.card : ctx.state.me.card || { name: ctx.state.me.name };
  const form = profileForm(card, { photo: res.ok ? res.data.person.photo : ctx.state.me.photo ?? null, id: ctx.state.me.id });
  const status = h("p", { class: "form-status", role: "alert" });
  await openDialog({
    title: t("mycard.title"),
    className: "wide",
    build: (close) => h("div", {},
      h("form", {
        class: "stack", novalidate: true,
        onsubmit: async (e) => {
          e.preventDefault();
          form.clearErrors();
          status.textContent = "";
          const profile = form.read();
          if (!profile.name) { form.showError({ field: "name", text: t("join.nameMissing") }); return; }
          const r = await api.updateMe(ctx.token, profile);
          if (r.ok) {
            ctx.apply(setMyCard(ctx.state, r.data.person, r.data.card));
            const photo = await form.photo.save(ctx.token); // shows its own error, keeps the dialog
            if (!photo.ok) return;
            if (photo.person) ctx.apply(setMyCard(ctx.state, photo.person, photo.card));
            ctx.notify(t("mycard.saved"));
            close(true);
          } else if (!form.showError(r.error)) {
            status.textContent = ctx.errorText(r.error);
          }
        },
      },
      h("p", { class: "privacy" }, t("join.privacy")),
      form.element, status,
      h("div", { class: "row end" },
        h("button", { type: "button", class: "button", onclick: () => close(false) }, t("dialog.cancel")),
        h("button", { type: "submit", class: "button primary" }, t("mycard.save")))),
      h("div", { class: "danger-zone" },
        h("h3", {}, t("erase.title")),
        h("p", {}, t("erase.text")),
        h("button", {
          type: "button", class: "button danger",
          onclick: async () => {
            const ok = await confirmDialog({ title: t("erase.confirmTitle"), text: t("erase.confirmText"), confirm: t("erase.confirm"), danger: true });
            if (!ok) return;
            const r = await api.eraseMe(ctx.token);
            if (r.ok) { close(true); ctx.erased(); } else status.textContent = ctx.errorText(r.error);
          },
        }, t("erase.button")))),
  });
}

/** Text for the contacts button in the header. */
export function contactsLabel(state) {
  return t("contacts.button", { count: state.contacts.size });
}

export function contactsButtonView(ctx) {
  const el = h("button", { type: "button", class: "button", onclick: () => openContacts(ctx) });
  return {
    el,
    update(changes) { if (changes.has(AREAS.CONTACTS)) setText(el, contactsLabel(ctx.state)); },
  };
}
