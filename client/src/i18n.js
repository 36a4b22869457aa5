// Finnish, Swedish and English. Every string the person sees comes from here.
// A value is a string with {name} placeholders, or {one, other} for counts.
// The strings themselves live in lang/<code>.js and lang/<code>-staff.js.

import enMain from "./lang/en.js";
import fiMain from "./lang/fi.js";
import svMain from "./lang/sv.js";
import enStaff from "./lang/en-staff.js";
import fiStaff from "./lang/fi-staff.js";
import svStaff from "./lang/sv-staff.js";

export const LANGS = Object.freeze({ fi: "Suomi", sv: "Svenska", en: "English" });
const LANG_KEY = "kohtaamo:lang";

// the staff views' strings live apart, so neither file grows past reading
const en = { ...enMain, ...enStaff };
const fi = { ...fiMain, ...fiStaff };
const sv = { ...svMain, ...svStaff };
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

// Text that can change the direction of what follows it: right-to-left
// letters and the bidi controls (an override such as U+202E among them).
const BIDI = /[\p{Bidi_Control}\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

/**
 * Someone's text made safe to put inside a sentence: wrapped in FIRST STRONG
 * ISOLATE … POP DIRECTIONAL ISOLATE when it could reorder the text around it,
 * and returned as is otherwise (plain left-to-right text needs nothing).
 */
export function isolate(text) {
  const s = balanced(text);
  return BIDI.test(s) ? `\u2068${s}\u2069` : s;
}

/**
 * Text with its directional isolates paired: a stray POP DIRECTIONAL ISOLATE
 * would close the isolate the page put around the text (and let an override
 * out), so it is dropped; isolates left open are closed at the end.
 */
export function balanced(text) {
  const s = String(text ?? "");
  if (!/[\u2066-\u2069]/.test(s)) return s;
  let depth = 0;
  let out = "";
  for (const ch of s) {
    if (ch >= "\u2066" && ch <= "\u2068") depth += 1;
    else if (ch === "\u2069") { if (depth === 0) continue; depth -= 1; }
    out += ch;
  }
  return out + "\u2069".repeat(depth);
}

/** Translate `key`, filling {placeholders} (text isolated); counts pick the plural form. */
export function t(key, params = {}, language = lang) {
  let v = STRINGS[language]?.[key] ?? STRINGS.en[key];
  if (v == null) return key;
  if (typeof v === "object") {
    const form = new Intl.PluralRules(language).select(Number(params.count ?? 0));
    v = v[form] ?? v.other;
  }
  return v.replace(/\{(\w+)\}/g, (m, name) => {
    const value = params[name];
    if (value == null) return m;
    return typeof value === "string" ? isolate(value) : String(value);
  });
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
