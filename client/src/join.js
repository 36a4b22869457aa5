// The join page: pick a language, fill in a short card, enter the fair.

import { h, fill, newId } from "./dom.js";
import { t, LANGS, getLang } from "./i18n.js";
import { profileForm } from "./profile.js";
import { api, saveToken } from "./api.js";
import { ERROR_CODES } from "./protocol.js";
import { errorText } from "./errors.js";

/** Render the join page into `root`; calls onJoined(token) after a successful join. */
export function renderJoin(root, { slug, info, notice, onJoined, onLang }) {
  const langId = newId("lang");
  const codeId = newId("code");
  const form = profileForm({}, { photo: null });
  // The token once joined: when only the photo failed, sending again retries the photo.
  let joined = null;
  const status = h("div", { class: "form-status", role: "alert" });
  const code = info.requires_code
    ? h("div", { class: "field field-code" },
      h("label", { for: codeId }, t("join.code"), h("span", { class: "req" }, ` (${t("profile.required")})`)),
      h("input", { id: codeId, name: "code", type: "text", required: true, autocomplete: "off", "aria-describedby": `${codeId}-hint` }),
      h("p", { id: `${codeId}-hint`, class: "hint" }, t("join.codeHint")))
    : null;
  const submit = h("button", { type: "submit", class: "button primary big" }, t("join.enter"));

  // After joining, the chosen photo; on failure the person stays here to choose
  // another or remove it (they have joined: sending again only retries the photo).
  const withPhoto = async (token) => {
    submit.disabled = true;
    const saved = await form.photo.save(token);
    submit.disabled = false;
    if (saved.ok) { onJoined(token); return; }
    joined = token;
    saveToken(slug, token); // a reload goes to the fair, as joined
    status.textContent = t("photo.joinedButFailed");
    submit.textContent = t("photo.continue");
  };

  const onsubmit = async (e) => {
    e.preventDefault();
    if (joined) { status.textContent = ""; await withPhoto(joined); return; }
    form.clearErrors();
    status.textContent = "";
    const profile = form.read();
    if (!profile.name) {
      form.showError({ field: "name", text: t("join.nameMissing") });
      return;
    }
    const body = { ...profile };
    for (const k of Object.keys(body)) {
      if (body[k] === "" || (Array.isArray(body[k]) && !body[k].length)) delete body[k];
    }
    if (code) body.code = code.querySelector("input").value.trim();
    submit.disabled = true;
    submit.textContent = t("join.entering");
    const res = await api.join(slug, body);
    submit.disabled = false;
    submit.textContent = t("join.enter");
    if (res.ok) {
      await withPhoto(res.data.token);
      return;
    }
    const err = res.error || {};
    if (err.field === "code" || (code && (res.status === 403 || err.code === ERROR_CODES.FORBIDDEN))) {
      status.textContent = t("join.wrongCode");
      code?.querySelector("input").setAttribute("aria-invalid", "true");
      code?.querySelector("input").focus();
    } else if (err.code === ERROR_CODES.ROOM_FULL || (res.status === 409 && !err.field)) {
      status.textContent = t("join.full");
    } else if (err.code === ERROR_CODES.RATE_LIMITED) {
      status.textContent = t("error.rate_limited");
    } else if (!form.showError(err)) {
      status.textContent = `${t("join.failed")} ${errorText(err)}`;
    }
  };

  const langSelect = h("select", { id: langId, onchange: (e) => onLang(e.target.value) },
    Object.entries(LANGS).map(([code2, name]) => h("option", { value: code2, selected: code2 === getLang(), lang: code2 }, name)));

  fill(root,
    h("div", { class: "join-page" },
      h("header", { class: "join-top" },
        h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }, "K"), h("span", {}, "Kohtaamo")),
        h("div", { class: "lang-pick" }, h("label", { for: langId }, t("lang.label")), langSelect)),
      h("main", { id: "main", class: "join-main", tabindex: "-1" },
        h("h1", {}, info.title),
        info.description ? h("p", { class: "lead" }, info.description) : null,
        h("p", { class: "join-intro" }, t("join.intro")),
        notice ? h("p", { class: "notice", role: "status" }, notice) : null,
        h("form", { class: "card join-form", onsubmit, novalidate: true, "aria-labelledby": "join-form-title" },
          h("h2", { id: "join-form-title" }, t("join.formTitle")),
          h("p", { class: "privacy" }, t("join.privacy")),
          form.element,
          code,
          status,
          h("div", { class: "row end" }, submit)),
        h("p", { class: "footnote" }, t("join.footnote")))));
}
