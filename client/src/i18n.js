// Finnish, Swedish and English. Every string the person sees comes from here.
// A value is a string with {name} placeholders, or {one, other} for counts.
// The strings themselves live in lang/<code>.js.

import en from "./lang/en.js";
import fi from "./lang/fi.js";
import sv from "./lang/sv.js";

export const LANGS = Object.freeze({ fi: "Suomi", sv: "Svenska", en: "English" });
const LANG_KEY = "kohtaamo:lang";

export const STRINGS = Object.freeze({ en, fi, sv });

let lang = "fi";

export function getLang() {
  return lang;
}

/** Switch language, remember it, and mark the document's language. */
export function setLang(code) {
  lang = STRINGS[code] ? code : "en";
  try { localStorage.setItem(LANG_KEY, lang); } catch { /* not stored */ }
  if (typeof document !== "undefined") document.documentElement.lang = lang;
}

/** The stored choice, else the first supported browser language, else English. */
export function initialLang(browserLangs = [], storage = globalThis.localStorage) {
  try {
    const saved = storage?.getItem(LANG_KEY);
    if (saved && STRINGS[saved]) return saved;
  } catch { /* no storage */ }
  for (const l of browserLangs) {
    const base = String(l || "").toLowerCase().split("-")[0];
    if (STRINGS[base]) return base;
  }
  return "en";
}

/** Translate `key`, filling {placeholders}; counts pick the plural form. */
export function t(key, params = {}, language = lang) {
  let v = STRINGS[language]?.[key] ?? STRINGS.en[key];
  if (v == null) return key;
  if (typeof v === "object") {
    const form = new Intl.PluralRules(language).select(Number(params.count ?? 0));
    v = v[form] ?? v.other;
  }
  return v.replace(/\{(\w+)\}/g, (m, name) => (params[name] == null ? m : String(params[name])));
}

export function formatTime(ts, language = lang) {
  return new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit" }).format(new Date(ts));
}

export function formatDateTime(ts, language = lang) {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(new Date(ts));
}

/** 754 -> "12:34"; 3754 -> "1:02:34". */
export function formatCountdown(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return hh ? `${hh}:${two(mm)}:${two(ss)}` : `${two(mm)}:${two(ss)}`;
}
