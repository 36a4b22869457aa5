// Choosing, previewing and removing one's profile photo (the join form and
// "My card"). The file is checked here for type and size so mistakes show at
// once; the server checks and re-encodes it again (`PUT /api/me/photo`).

import { h, newId, setText } from "./dom.js";
import { t } from "./i18n.js";
import { api } from "./api.js";
import { face, updateFace } from "./face.js";
import { ERROR_CODES } from "./protocol.js";

export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
const TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"];

/** The reader's words for a failed upload (`res` as api.js returns it). */
export function photoErrorText(res) {
  const code = res?.error?.code;
  if (res?.status === 413) return t("photo.tooLarge");
  if (code === ERROR_CODES.BAD_REQUEST) return t("photo.notImage");
  if (code === "network") return t("error.network");
  return Object.values(ERROR_CODES).includes(code) ? t(`error.${code}`) : t("error.internal");
}

/**
 * The photo field: `current` is the person's photo URL (or null), `who()` the
 * {id, name} its initials stand for without one. Returns {element, pending(),
 * save(token), showError(text)}: `save` uploads or removes what was chosen.
 */
export function photoPicker({ current = null, who = () => ({}) } = {}) {
  let saved = current;
  let file = null;
  let removed = false;
  let dataUrl = null;
  const id = newId("photo");
  const preview = face({ ...who(), photo: current }, "face-xl");
  const error = h("p", { id: `${id}-err`, class: "field-error", "aria-live": "polite" });
  const status = h("p", { class: "sr-only", "aria-live": "polite" });
  const input = h("input", {
    id, type: "file", accept: TYPES.join(","), class: "photo-input sr-only",
    "aria-describedby": `${id}-hint ${id}-err`,
    onchange: () => choose(input.files?.[0]),
  });
  const remove = h("button", {
    type: "button", class: "button small quiet photo-remove",
    onclick: () => {
      file = null;
      dataUrl = null;
      removed = !!saved;
      input.value = "";
      show(null);
      setText(status, t("photo.removedPending"));
      input.focus();
    },
  }, t("photo.remove"));

  const show = (photo) => {
    updateFace(preview, { ...who(), photo });
    remove.hidden = !photo;
  };

  const showError = (text) => {
    setText(error, text);
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  };

  function choose(f) {
    showError("");
    if (!f) return;
    if (!TYPES.includes(f.type)) { input.value = ""; showError(t("photo.notImage")); return; }
    if (f.size > PHOTO_MAX_BYTES) { input.value = ""; showError(t("photo.tooLarge")); return; }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      file = f;
      removed = false;
      dataUrl = String(reader.result); // a data: URL, which the page's CSP allows for images
      show(dataUrl);
      setText(status, t("photo.chosen"));
    });
    reader.addEventListener("error", () => showError(t("photo.notImage")));
    reader.readAsDataURL(f);
  }

  show(current);
  const element = h("div", { class: "field field-photo", role: "group", "aria-labelledby": `${id}-label` },
    h("span", { class: "label", id: `${id}-label` }, t("photo.label")),
    h("div", { class: "photo-row" },
      preview,
      h("div", { class: "photo-controls" },
        input,
        h("label", { for: id, class: "button small photo-choose" }, t("photo.choose")),
        remove)),
    h("p", { id: `${id}-hint`, class: "hint" }, t("photo.hint")),
    error, status);

  return {
    element,
    /** Redraw the initials after the name changed (no photo shown). */
    refresh: () => show(dataUrl ?? (removed ? null : saved)),
    pending: () => (file ? { file } : removed ? { remove: true } : null),
    showError,
    /** Upload or remove what was chosen; {ok, person?}. On failure the error is shown. */
    async save(token) {
      const todo = file ? { file } : removed ? { remove: true } : null;
      if (!todo) return { ok: true };
      const res = todo.file ? await api.uploadPhoto(token, todo.file) : await api.removePhoto(token);
      if (!res.ok) {
        showError(photoErrorText(res));
        input.focus();
        return { ok: false };
      }
      saved = res.data.person.photo;
      file = null;
      removed = false;
      dataUrl = null;
      show(saved);
      return { ok: true, person: res.data.person, card: res.data.card };
    },
  };
}
