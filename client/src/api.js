// HTTP calls and the stored token; every call returns {ok, status, data|error}.

import { ERROR_CODES, CLIENT_NETWORK } from "./protocol.js";

const tokenKey = (slug) => `kohtaamo:token:${slug}`;

export function loadToken(slug) {
  try { return localStorage.getItem(tokenKey(slug)); } catch { return null; }
}

export function saveToken(slug, token) {
  try { localStorage.setItem(tokenKey(slug), token); } catch { /* private mode: keep in memory only */ }
}

export function forgetToken(slug) {
  try { localStorage.removeItem(tokenKey(slug)); } catch { /* ignore */ }
}

/** Take `#token=...` from a staff link into storage and drop it from the address bar. */
export function takeTokenFromFragment(slug, loc = window.location, hist = window.history) {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ""));
  const token = params.get("token");
  if (!token) return null;
  saveToken(slug, token);
  hist.replaceState(null, "", loc.pathname + loc.search);
  return token;
}

async function call(method, path, { token, body, accept, raw } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined && !raw) headers["Content-Type"] = "application/json";
  if (raw) headers["Content-Type"] = raw.type || "application/octet-stream";
  if (accept) headers.Accept = accept;
  let res;
  try {
    const payload = raw || (body === undefined ? undefined : JSON.stringify(body));
    res = await fetch(path, { method, headers, body: payload, credentials: "omit" });
  } catch {
    return { ok: false, status: 0, error: { code: CLIENT_NETWORK, message: "", field: null } };
  }
  if (res.status === 204) return { ok: true, status: 204, data: null };
  if (!res.ok) {
    let error = { code: ERROR_CODES.INTERNAL, message: res.statusText, field: null };
    try { error = { ...error, ...(await res.json()).error }; } catch { /* not JSON */ }
    return { ok: false, status: res.status, error };
  }
  const type = res.headers.get("Content-Type") || "";
  if (type.includes("json")) return { ok: true, status: res.status, data: await res.json() };
  return { ok: true, status: res.status, data: await res.blob() };
}

const ev = (slug) => `/api/events/${encodeURIComponent(slug)}`;

export const api = {
  event: (slug) => call("GET", ev(slug)),
  join: (slug, profile) => call("POST", `${ev(slug)}/join`, { body: profile }),
  me: (token) => call("GET", "/api/me", { token }),
  updateMe: (token, profile) => call("PATCH", "/api/me", { token, body: profile }),
  eraseMe: (token) => call("DELETE", "/api/me", { token }),
  // A profile photo: the file itself is the body (a Blob or File).
  uploadPhoto: (token, file) => call("PUT", "/api/me/photo", { token, raw: file }),
  removePhoto: (token) => call("DELETE", "/api/me/photo", { token }),
  // People of the event, here or gone: {q, interest, absent, after, limit}.
  findPeople: (slug, token, params = {}) => {
    const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== ""));
    return call("GET", `${ev(slug)}/people?${query}`, { token });
  },
  requests: (token, before) => call("GET", before ? `/api/me/requests?before=${encodeURIComponent(before)}` : "/api/me/requests?limit=1", { token }),
  contacts: (token) => call("GET", "/api/me/contacts", { token }),
  met: (token) => call("GET", "/api/me/met", { token }),
  suggestions: (token) => call("GET", "/api/me/suggestions", { token }),
  contactsFile: (token, format) => call("GET", `/api/me/contacts?format=${format}`, { token }),
  report: (slug, token) => call("GET", `${ev(slug)}/report`, { token }),
  reportCsv: (slug, token) => call("GET", `${ev(slug)}/report?format=csv`, { token }),
  moderation: (slug, token) => call("GET", `${ev(slug)}/moderation`, { token }),
  flags: (slug, token) => call("GET", `${ev(slug)}/flags`, { token }),
  bans: (slug, token) => call("GET", `${ev(slug)}/bans`, { token }),
};
