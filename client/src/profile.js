// The card form, shared by the join page and "edit my card".

import { h, newId } from "./dom.js";
import { t } from "./i18n.js";
import { fieldErrorText } from "./errors.js";
import { photoPicker } from "./photopick.js";

const FIELDS = [
  { name: "name", type: "text", max: 80, required: true, autocomplete: "name" },
  { name: "organization", type: "text", max: 120, autocomplete: "organization" },
  { name: "title", type: "text", max: 120, autocomplete: "organization-title" },
  { name: "email", type: "email", max: 254, autocomplete: "email" },
  { name: "phone", type: "tel", max: 40, autocomplete: "tel" },
  // text, not url: "www.example.fi" is welcome (it becomes https://www.example.fi)
  { name: "website", type: "text", inputmode: "url", max: 200, autocomplete: "url", placeholder: "www.example.fi", complete: withScheme },
  { name: "bio", type: "textarea", max: 500 },
  { name: "languages", type: "list", max: 200, hint: "profile.listHint" },
  { name: "interests", type: "list", max: 400, hint: "profile.interestsHint" },
];

/**
 * A web address as the server will store it: one typed without a scheme gets
 * https:// (the server completes it the same way and has the last word).
 */
export function withScheme(value) {
  const v = value.trim();
  if (v.startsWith("//")) return `https:${v}`;
  // a scheme already, or not a host name (no dot, spaces): the server will say
  if (/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(v) || !/^[^\s/]+\.[^\s/]+(\/\S*)?$/.test(v)) return v;
  return `https://${v}`;
}

const splitList = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);

/**
 * Build the fields; returns {element, read(), showError(error), clearErrors(), photo}.
 * With `photo` in `options` (the current photo URL, or null) the form starts with
 * a photo picker (photopick.js), `photo`, which the caller saves after the card.
 */
export function profileForm(values = {}, options = {}) {
  const inputs = {};
  const errors = {};
  const rows = FIELDS.map((f) => {
    const id = newId(`f-${f.name}`);
    const errId = `${id}-err`;
    const hintId = f.hint ? `${id}-hint` : null;
    const value = Array.isArray(values[f.name]) ? values[f.name].join(", ") : values[f.name] ?? "";
    const common = {
      id, name: f.name, maxlength: f.max, required: f.required || null,
      autocomplete: f.autocomplete || "off",
      "aria-describedby": [hintId, errId].filter(Boolean).join(" "),
      placeholder: f.placeholder || null,
      inputmode: f.inputmode || null,
      // Show a completed value as soon as the person leaves the field.
      onchange: f.complete ? (e) => { e.target.value = f.complete(e.target.value); } : null,
    };
    const input = f.type === "textarea"
      ? h("textarea", { ...common, rows: 3, value })
      : h("input", { ...common, type: f.type === "list" ? "text" : f.type, value });
    inputs[f.name] = input;
    errors[f.name] = h("p", { id: errId, class: "field-error" });
    return h("div", { class: `field field-${f.name}` },
      h("label", { for: id }, t(`profile.${f.name}`), f.required ? h("span", { class: "req" }, ` (${t("profile.required")})`) : null),
      input,
      hintId ? h("p", { id: hintId, class: "hint" }, t(f.hint)) : null,
      errors[f.name]);
  });
  const photo = "photo" in options
    ? photoPicker({ current: options.photo, who: () => ({ id: options.id, name: inputs.name.value }) })
    : null;
  if (photo) inputs.name.addEventListener("input", () => photo.refresh());
  return {
    element: h("div", { class: "profile-fields" }, photo?.element, rows),
    photo,
    inputs,
    read() {
      const out = {};
      for (const f of FIELDS) {
        const v = f.complete ? f.complete(inputs[f.name].value) : inputs[f.name].value.trim();
        out[f.name] = f.type === "list" ? splitList(v) : v;
      }
      return out;
    },
    clearErrors() {
      for (const f of FIELDS) {
        errors[f.name].textContent = "";
        inputs[f.name].removeAttribute("aria-invalid");
      }
    },
    /**
     * Show an error next to its field, in the reader's language (by its reason,
     * never the server's English message); returns false when no field matched.
     * `error.text` is a sentence already translated (the page's own checks).
     */
    showError(error) {
      const field = error?.field;
      if (!field || !inputs[field]) return false;
      errors[field].textContent = error.text || fieldErrorText(error);
      inputs[field].setAttribute("aria-invalid", "true");
      inputs[field].focus();
      return true;
    },
  };
}
