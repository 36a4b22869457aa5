// The call at your table, drawn: hear the table, microphone, camera, screen,
// the video tiles of the nearest people with a speaking ring, a clear word for
// every failure, and the device check before the first minute.
//
// Microphone and camera stay off until the person turns one on; the bar says
// plainly whenever either is live.

import { h, fill, setText, setAttr, reconcile, avatarColour } from "./dom.js";
import { t } from "./i18n.js";
import { AREAS, maySpeak, initials } from "./state.js";
import { createCall, mediaErrorCode } from "./call.js";
import { openDialog } from "./dialog.js";
import { handButton, handsView } from "./hands.js";

/** The call engine of the page: made once, it outlives redraws (a language switch). */
export function pageCall(ctx) {
  const listeners = { change: () => {}, error: () => {} };
  const call = createCall(ctx, { onChange: () => listeners.change(), onError: (k, d) => listeners.error(k, d) });
  call.listeners = listeners;
  return call;
}

export function callView(ctx, call) {
  call.listeners.change = () => render();
  call.listeners.error = (key) => say(key);

  const status = h("p", { class: "call-status", role: "status", "aria-live": "polite" });
  const live = h("p", { class: "call-live", hidden: true });
  const hearBtn = h("button", { type: "button", class: "button primary", onclick: toggleHear });
  const micBtn = h("button", { type: "button", class: "button toggle", "aria-pressed": "false", onclick: () => toggle("audio") });
  const camBtn = h("button", { type: "button", class: "button toggle", "aria-pressed": "false", onclick: () => toggle("video") });
  const screenBtn = h("button", { type: "button", class: "button toggle", "aria-pressed": "false", onclick: toggleScreen });
  const checkBtn = h("button", { type: "button", class: "button", onclick: () => deviceCheck() }, t("call.check"));
  const tiles = h("ul", { class: "tiles", role: "list", "aria-label": t("call.tiles") });
  // Raised hands (issue 12): the toggle on the stage, and the hosts' list.
  const hand = handButton(ctx, (key) => say(key));
  const hands = handsView(ctx);
  const mediaBtns = [hearBtn, micBtn, camBtn, screenBtn, checkBtn];
  const bar = h("div", { class: "call-bar", role: "group", "aria-label": t("call.controls") },
    ...mediaBtns, hand.el);
  const off = h("p", { class: "hint call-off", hidden: true }, t("call.unavailable"));
  const el = h("section", { class: "call", id: "call", "aria-label": t("call.title") }, off, bar, live, status, tiles, hands.el);

  function enabled() { return !!ctx.state.event?.media?.enabled; }

  function say(key, vars) {
    setText(status, t(key, vars));
  }

  async function toggleHear() {
    if (call.listening) { await call.stopListening(); say("call.stoppedHearing"); return; }
    if (await call.listen()) say(ctx.state.streams.size ? "call.hearing" : "call.hearingNobody");
  }

  async function toggle(kind) {
    const on = !call.sending[kind];
    if (on && !call.listening) await call.listen(); // talking without hearing makes no sense
    if (await call.update({ [kind]: on })) say(on ? `call.${kind}On` : `call.${kind}Off`);
  }

  async function toggleScreen() {
    const on = !call.sending.screen;
    if (await call.update({ screen: on })) say(on ? "call.screenOn" : "call.screenOff");
  }

  // ---- the device check: see and hear yourself before anyone else does ----------

  async function deviceCheck() {
    let stream = null;
    let meterCtx = null;
    let raf = 0;
    const preview = h("video", { class: "preview", autoplay: true, muted: true, playsinline: true, "aria-label": t("call.preview") });
    const level = h("meter", { class: "level", min: 0, max: 1, value: 0, "aria-label": t("call.level") });
    const note = h("p", { class: "hint", role: "status" });
    const camSel = h("select", { id: "dev-cam" });
    const micSel = h("select", { id: "dev-mic" });
    const spkSel = h("select", { id: "dev-spk" });

    async function open() {
      for (const tr of stream?.getTracks() || []) tr.stop();
      cancelAnimationFrame(raf);
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: micSel.value ? { deviceId: { exact: micSel.value } } : true,
          video: camSel.value ? { deviceId: { exact: camSel.value } } : true,
        });
      } catch (err) {
        setText(note, t(mediaErrorCode(err)));
        return;
      }
      preview.srcObject = stream;
      meterCtx = meterCtx || new AudioContext();
      const analyser = meterCtx.createAnalyser();
      meterCtx.createMediaStreamSource(stream).connect(analyser);
      const buf = new Uint8Array(analyser.fftSize);
      const tick = () => {
        analyser.getByteTimeDomainData(buf);
        let peak = 0;
        for (const v of buf) peak = Math.max(peak, Math.abs(v - 128) / 128);
        level.value = peak;
        raf = requestAnimationFrame(tick);
      };
      tick();
      await listDevices();
      setText(note, t("call.checkReady"));
    }

    async function listDevices() {
      const all = await navigator.mediaDevices.enumerateDevices();
      const chosen = call.devices;
      const opts = (kind, current) => all.filter((d) => d.kind === kind).map((d, i) =>
        h("option", { value: d.deviceId, selected: d.deviceId === current }, d.label || `${t(`call.${kind}`)} ${i + 1}`));
      fill(camSel, opts("videoinput", chosen.video));
      fill(micSel, opts("audioinput", chosen.audio));
      fill(spkSel, opts("audiooutput", chosen.speaker));
      spkSel.disabled = !spkSel.options.length;
    }

    function testSound() {
      const c = new AudioContext();
      if (spkSel.value && c.setSinkId) c.setSinkId(spkSel.value).catch(() => {});
      const osc = c.createOscillator();
      const g = c.createGain();
      g.gain.value = 0.2;
      osc.frequency.value = 660;
      osc.connect(g).connect(c.destination);
      osc.start();
      osc.stop(c.currentTime + 0.6);
      osc.onended = () => c.close();
      setText(note, t("call.testSoundPlayed"));
    }

    const choice = await openDialog({
      title: t("call.checkTitle"),
      className: "device-check",
      build: (close) => {
        open();
        camSel.onchange = open;
        micSel.onchange = open;
        return h("div", { class: "stack" },
          preview, h("label", { class: "level-row" }, t("call.level"), level), note,
          h("label", { for: "dev-cam" }, t("call.videoinput")), camSel,
          h("label", { for: "dev-mic" }, t("call.audioinput")), micSel,
          h("label", { for: "dev-spk" }, t("call.audiooutput")), spkSel,
          h("div", { class: "row" },
            h("button", { type: "button", class: "button", onclick: testSound }, t("call.testSound"))),
          h("div", { class: "row end" },
            h("button", { type: "button", class: "button", onclick: () => close("mic") }, t("call.joinMic")),
            h("button", { type: "button", class: "button primary", onclick: () => close("both") }, t("call.joinBoth"))));
      },
    });
    call.setDevices({ audio: micSel.value, video: camSel.value, speaker: spkSel.value });
    cancelAnimationFrame(raf);
    for (const tr of stream?.getTracks() || []) tr.stop();
    meterCtx?.close();
    if (!choice) return;
    if (!maySpeak(ctx.state)) { say("call.stageOnly"); await call.listen(); return; }
    if (!call.listening) await call.listen();
    if (await call.update({ audio: true, video: choice === "both" })) say(choice === "both" ? "call.videoOn" : "call.audioOn");
  }

  // ---- drawing ----------------------------------------------------------------------

  function tileFor(person) {
    const p = ctx.state.people.get(person);
    const video = h("video", { autoplay: true, muted: true, playsinline: true });
    const face = h("span", { class: "tile-face", "aria-hidden": "true" });
    const name = h("bdi", { class: "tile-name" });
    const li = h("li", { class: "tile", dataset: { person } }, video, face, name);
    li.style.setProperty("--face", avatarColour(person));
    setText(face, initials(p?.name || ""));
    return li;
  }

  function render() {
    const on = enabled();
    off.hidden = on;
    for (const b of mediaBtns) b.hidden = !on;
    bar.hidden = !on && hand.el.hidden;
    if (!on) { fill(tiles); live.hidden = true; return; }
    const speak = maySpeak(ctx.state);
    const sending = call.sending;
    setText(hearBtn, call.listening ? t("call.stopHearing") : t("call.hear"));
    for (const [btn, kind] of [[micBtn, "audio"], [camBtn, "video"], [screenBtn, "screen"]]) {
      setText(btn, t(`call.${kind}${sending[kind] ? "Stop" : "Start"}`));
      setAttr(btn, "aria-pressed", String(!!sending[kind]));
      btn.disabled = !speak;
    }
    if (!speak) setText(status, t("call.stageOnly"));
    const liveKinds = ["audio", "video", "screen"].filter((k) => sending[k]);
    live.hidden = !liveKinds.length;
    setText(live, liveKinds.map((k) => t(`call.live.${k}`)).join(" · "));

    // Tiles: mine first when I send video, then everyone whose video I receive.
    const shown = [];
    if (call.localVideo) shown.push({ id: ctx.state.me.id, stream: new MediaStream([call.localVideo]), me: true });
    // The nearest people first (shared screens before anyone), at most max_video.
    const here = ctx.state.here?.occupants;
    const mine = here?.get(ctx.state.me?.id) || { x: 0, y: 0 };
    const far = (id) => { const o = here?.get(id); return o ? Math.hypot(o.x - mine.x, o.y - mine.y) : Infinity; };
    const remote = [...call.remote].map(([person, r]) => {
      // media:streams says what each publisher sends now; an idle m-line shows nothing.
      const sends = ctx.state.streams.get(person) || {};
      const track = (sends.screen && r.screen) || (sends.video && r.video) || null;
      return { id: person, stream: track ? new MediaStream([track]) : null, speaking: r.speaking, screen: !!sends.screen };
    }).sort((a, b) => (b.screen - a.screen) || (far(a.id) - far(b.id)));
    shown.push(...remote.slice(0, ctx.state.event?.media?.max_video || 9));
    reconcile(tiles, shown, (s) => s.id, (s) => tileFor(s.id), (li, s) => {
      const v = li.querySelector("video");
      const track = s.stream?.getVideoTracks()[0] || null;
      if ((v.srcObject?.getVideoTracks()[0] || null) !== track) v.srcObject = s.stream;
      v.hidden = !track;
      li.classList.toggle("speaking", !!s.speaking);
      li.classList.toggle("me", !!s.me);
      const name = ctx.state.people.get(s.id)?.name || "";
      setText(li.querySelector(".tile-name"), s.me ? t("call.you") : name);
      setAttr(li, "aria-label", s.speaking ? t("call.speaking", { name }) : null);
    });
  }

  return {
    el,
    call,
    update(changes) {
      hand.update(changes);
      hands.update(changes);
      if (changes.has(AREAS.MEDIA) && call.listening) {
        const others = [...ctx.state.streams.keys()].some((id) => id !== ctx.state.me?.id);
        say(others ? "call.hearing" : "call.hearingNobody");
      }
      if (changes.has(AREAS.EVENT) || changes.has(AREAS.MEDIA) || changes.has(AREAS.ME) || changes.has(AREAS.HERE)) render();
      if (changes.has(AREAS.POSITIONS) || changes.has(AREAS.HERE)) call.place();
    },
  };
}
