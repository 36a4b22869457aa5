// Entry point: find the event from the address, take a staff token from the
// link, then show the join page or the fair.

import { h, fill } from "./dom.js";
import { t, setLang, initialLang } from "./i18n.js";
import { api, loadToken, saveToken, forgetToken, takeTokenFromFragment } from "./api.js";
import { renderJoin } from "./join.js";
import { startFair } from "./fair.js";
import { showKicked, showBanned, rememberKick, recalledKick, forgetKick, isBanned } from "./endings.js";

const root = document.getElementById("app");
const slug = decodeURIComponent((window.location.pathname.match(/^\/e\/([^/]+)/) || [])[1] || "");
let info = null;
let fair = null;
let screen = null; // "join" | "fair" | "kicked" | "banned"
let ending = null;  // what the ending page shows, to redraw it in another language
let joinNotice = null;

function changeLang(lang) {
  setLang(lang);
  if (screen === "fair" && fair) fair.relabel();
  else if (screen === "kicked") showKickedPage(ending.token, ending.reason);
  else if (screen === "banned") showBannedPage(ending.token);
  else showJoin(joinNotice, true);
}

function showJoin(notice = null, keepFocus = false) {
  screen = "join";
  root.classList.remove("in-fair");
  joinNotice = notice;
  renderJoin(root, {
    slug, info, notice,
    onLang: changeLang,
    onJoined: (token) => { saveToken(slug, token); showFair(token); },
  });
  window.scrollTo(0, 0);
  if (keepFocus) root.querySelector(".lang-pick select")?.focus();
}

function showFair(token) {
  screen = "fair";
  fair?.stop();
  fair = startFair(root, {
    slug, token,
    onLang: changeLang,
    onSignedOut: () => { fair?.stop(); fair = null; forgetToken(slug); showJoin(t("join.sessionEnded")); },
    onErased: () => { fair?.stop(); fair = null; forgetToken(slug); showJoin(t("erase.done")); },
    onKicked: async (reason) => {
      fair?.stop(); fair = null;
      rememberKick(slug, reason);
      if (await isBanned(token)) showBannedPage(token); else showKickedPage(token, reason);
    },
    onBanned: () => { fair?.stop(); fair = null; showBannedPage(token); },
  });
  // From the join form (scrolled to its button) to the top of the fair; focus
  // falls back to the document start, so Tab reaches the skip links first.
  window.scrollTo(0, 0);
}

function showKickedPage(token, reason) {
  screen = "kicked";
  ending = { token, reason };
  showKicked(root, {
    title: info?.title, reason,
    onRejoin: () => { forgetKick(slug); showFair(token); },
  });
}

function showBannedPage(token) {
  screen = "banned";
  ending = { token };
  showBanned(root, {
    title: info?.title, token,
    onErased: () => { forgetKick(slug); forgetToken(slug); showJoin(t("erase.done")); },
  });
}

function showProblem(text) {
  fill(root, h("main", { id: "main", class: "join-main problem", tabindex: "-1" },
    h("h1", {}, "Kohtaamo"), h("p", { role: "alert" }, text)));
}

async function boot() {
  setLang(initialLang(navigator.languages || [navigator.language]));
  if (!slug) { showProblem(t("boot.noEvent")); return; }
  const fromLink = takeTokenFromFragment(slug);
  const res = await api.event(slug);
  if (!res.ok) { showProblem(res.status === 404 ? t("boot.notFound") : t("error.network")); return; }
  info = res.data;
  const token = fromLink || loadToken(slug);
  const kick = token && !fromLink ? recalledKick(slug) : null;
  // A removed person's reload says what happened instead of quietly rejoining.
  if (kick) { if (await isBanned(token)) showBannedPage(token); else showKickedPage(token, kick.reason); return; }
  if (token) showFair(token); else showJoin();
}

boot();
