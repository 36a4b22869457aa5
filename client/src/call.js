// Voice and video at your table (contract v1.2, Media): at most two
// RTCPeerConnections with the SFU, signalled through the server over the
// page's one Socket.IO connection. The publisher sends your microphone, camera
// or screen; the subscriber receives the people at your table, and the server
// decides which. Nothing is captured until you ask, and nothing is recorded.
//
// Sound goes through Web Audio so each voice's volume can follow distance in
// the table's space: full within the conversation radius, silent beyond the
// hearing radius, linear in between (`gainAt`).

import { CLIENT_EVENTS as C } from "./protocol.js";

/** Volume of a voice `d` room units away. */
export function gainAt(d, full, silent) {
  if (d <= full) return 1;
  if (d >= silent) return 0;
  return (silent - d) / (silent - full);
}

/** What getUserMedia's and RTCPeerConnection's failures mean for a person. */
export function mediaErrorCode(err) {
  const name = err?.name || "";
  if (name === "NotAllowedError" || name === "SecurityError") return "media.denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "media.noDevice";
  if (name === "NotReadableError" || name === "AbortError") return "media.inUse";
  return "media.failed";
}

/**
 * createCall(ctx, {onChange, onError}) -> call
 * ctx: request(name, payload) -> ack; state (me, here, event).
 * onChange(): something to redraw; onError(key, detail): say what went wrong.
 */
export function createCall(ctx, { onChange, onError }) {
  let pub = null;          // {pc, stream, sending: {audio, video, screen}}
  let sub = null;          // {pc, offer, streams: Map mid -> {person, kind}}
  let listening = false;
  let audioCtx = null;
  let sinkId = "";
  const devices = { audio: "", video: "" };
  const remote = new Map(); // person -> {audio, video, screen, gain, analyser, el}
  const pending = { publisher: [], subscriber: [] }; // candidates before the pc exists
  let meterTimer = 0;
  const made = { publisher: 0, subscriber: 0 }; // connections set up so far, for tests

  const hearing = () => ctx.state.event?.media?.hearing || { full: 150, silent: 450 };

  function changed() { onChange?.(); }

  function ice() {
    return { iceServers: ctx.state.event?.media?.ice_servers || [] };
  }

  function trickle(pcName, pc) {
    pc.addEventListener("icecandidate", (e) => {
      const c = e.candidate ? e.candidate.toJSON() : null;
      ctx.request(C.MEDIA_CANDIDATE, { pc: pcName, candidate: c && c.candidate ? c : null });
    });
    pc.addEventListener("iceconnectionstatechange", () => {
      if (pc.iceConnectionState === "failed") onError?.("media.iceFailed");
      changed();
    });
  }

  // ---- hearing: the subscriber --------------------------------------------------

  /** Start hearing the table (needs a gesture: browsers keep sound off until one). */
  async function listen() {
    if (!audioCtx) {
      audioCtx = new AudioContext();
      if (sinkId && audioCtx.setSinkId) await audioCtx.setSinkId(sinkId).catch(() => {});
    }
    await audioCtx.resume();
    listening = true;
    const ack = await ctx.request(C.MEDIA_SUBSCRIBE, {});
    if (!ack.ok) { listening = false; onError?.(`error.${ack.error?.code}`, ack.error); }
    if (!meterTimer) meterTimer = setInterval(meter, 200);
    changed();
    return ack.ok;
  }

  async function onOffer({ offer, sdp, streams }) {
    if (!sub) {
      const pc = new RTCPeerConnection(ice());
      made.subscriber += 1;
      sub = { pc, offer: null, streams: new Map() };
      trickle("subscriber", pc);
      pc.addEventListener("track", () => sync());
    }
    sub.offer = offer;
    sub.streams = new Map((streams || []).map((s) => [String(s.mid), { person: s.person, kind: s.kind }]));
    try {
      await sub.pc.setRemoteDescription({ type: "offer", sdp });
      for (const c of pending.subscriber.splice(0)) await sub.pc.addIceCandidate(c).catch(() => {});
      const answer = await sub.pc.createAnswer();
      await sub.pc.setLocalDescription(answer);
      const ack = await ctx.request(C.MEDIA_ANSWER, { offer, sdp: sub.pc.localDescription.sdp });
      if (!ack.ok && ack.error?.code !== "conflict") onError?.(`error.${ack.error?.code}`, ack.error);
    } catch (err) {
      onError?.("media.failed", err);
    }
    sync();
  }

  /**
   * Make `remote` match what the subscriber carries now: every active m-line the
   * offer named, by person and kind. Janus reuses m-lines (a feed that leaves goes
   * inactive, a later one takes its place), so this reads the transceivers after
   * each negotiation rather than counting on track events.
   */
  function sync() {
    if (!sub) return;
    const live = new Map();
    for (const tr of sub.pc.getTransceivers()) {
      const info = sub.streams.get(String(tr.mid));
      const dir = tr.currentDirection || tr.direction;
      if (!info || dir === "inactive" || dir === "stopped" || tr.stopped) continue;
      live.set(`${info.person}:${info.kind}`, { ...info, track: tr.receiver.track });
    }
    for (const [person, r] of remote) {
      for (const kind of ["audio", "video", "screen"]) {
        const now = live.get(`${person}:${kind}`);
        if (r[kind] && (!now || now.track !== r[kind])) detach(r, kind);
      }
      if (!r.audio && !r.video && !r.screen) remote.delete(person);
    }
    for (const s of live.values()) {
      const r = remote.get(s.person) || {};
      if (r[s.kind] !== s.track) attach(r, s.kind, s.track);
      remote.set(s.person, r);
    }
    place();
    changed();
  }

  function attach(r, kind, track) {
    r[kind] = track;
    if (kind !== "audio" || !audioCtx) return;
    // Chromium feeds Web Audio from a remote track only while an element plays it.
    const stream = new MediaStream([track]);
    r.el = r.el || Object.assign(new Audio(), { muted: true, autoplay: true });
    r.el.srcObject = stream;
    r.el.play?.().catch(() => {});
    const source = audioCtx.createMediaStreamSource(stream);
    r.gain = audioCtx.createGain();
    r.analyser = audioCtx.createAnalyser();
    r.analyser.fftSize = 256;
    source.connect(r.analyser);
    source.connect(r.gain).connect(audioCtx.destination);
  }

  function detach(r, kind) {
    if (kind === "audio") {
      r.gain?.disconnect();
      r.analyser?.disconnect();
      r.gain = null;
      r.analyser = null;
      if (r.el) r.el.srcObject = null;
    }
    r[kind] = null;
  }

  /** Set every voice's volume from the distance to it in the table's space. */
  function place() {
    const here = ctx.state.here;
    const me = here?.occupants.get(ctx.state.me?.id);
    const { full, silent } = hearing();
    for (const [person, r] of remote) {
      if (!r.gain) continue;
      const them = here?.occupants.get(person);
      const d = me && them ? Math.hypot(me.x - them.x, me.y - them.y) : 0;
      const g = gainAt(d, full, silent);
      r.level = g;
      r.gain.gain.setTargetAtTime(g, audioCtx.currentTime, 0.1);
    }
  }

  const buf = new Uint8Array(128);
  function meter() {
    let any = false;
    for (const r of remote.values()) {
      if (!r.analyser) continue;
      r.analyser.getByteTimeDomainData(buf);
      let peak = 0;
      for (const v of buf) peak = Math.max(peak, Math.abs(v - 128));
      const speaking = peak > 6;
      if (speaking !== r.speaking) { r.speaking = speaking; any = true; }
    }
    if (any) changed();
  }

  async function stopListening() {
    listening = false;
    if (sub) await ctx.request(C.MEDIA_UNSUBSCRIBE, {});
    closeSub();
    changed();
  }

  function closeSub() {
    sub?.pc.close();
    sub = null;
    for (const r of remote.values()) { r.gain?.disconnect(); if (r.el) r.el.srcObject = null; }
    remote.clear();
  }

  // ---- speaking: the publisher ----------------------------------------------------

  /** Open one device: the microphone, the camera, or a screen to share. */
  async function capture(kind) {
    if (kind === "screen") {
      return (await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })).getVideoTracks()[0];
    }
    if (kind === "audio") {
      const audio = devices.audio ? { deviceId: { exact: devices.audio } } : true;
      return (await navigator.mediaDevices.getUserMedia({ audio })).getAudioTracks()[0];
    }
    const video = { ...(devices.video ? { deviceId: { exact: devices.video } } : {}), width: { ideal: 640 }, height: { ideal: 360 } };
    return (await navigator.mediaDevices.getUserMedia({ video })).getVideoTracks()[0];
  }

  /**
   * Start sending. The publisher always offers three m-lines, microphone, camera
   * and screen (the engine reads them in that order), and only the devices asked
   * for get a track; turning another on later is a `replaceTrack`, with no new
   * negotiation. A device is opened only when it is turned on.
   */
  async function publish(want) {
    if (pub) return update(want);
    const tracks = {};
    try {
      for (const kind of ["audio", "video", "screen"]) if (want[kind]) tracks[kind] = await capture(kind);
    } catch (err) {
      for (const t of Object.values(tracks)) t.stop();
      onError?.(mediaErrorCode(err), err);
      return false;
    }
    const pc = new RTCPeerConnection(ice());
    made.publisher += 1;
    trickle("publisher", pc);
    const stream = new MediaStream(Object.values(tracks));
    const senders = {
      audio: pc.addTransceiver(tracks.audio || "audio", { direction: "sendonly", streams: [stream] }).sender,
      // Simulcast: small tiles take the low layer.
      video: pc.addTransceiver(tracks.video || "video", {
        direction: "sendonly", streams: [stream],
        sendEncodings: [{ rid: "h", maxBitrate: 600_000 }, { rid: "l", scaleResolutionDownBy: 4, maxBitrate: 120_000 }],
      }).sender,
      screen: pc.addTransceiver(tracks.screen || "video", { direction: "sendonly", streams: [stream] }).sender,
    };
    const sending = { audio: !!tracks.audio, video: !!tracks.video, screen: !!tracks.screen };
    pub = { pc, stream, senders, tracks, sending };
    if (tracks.screen) tracks.screen.addEventListener("ended", () => update({ screen: false }));
    try {
      await pc.setLocalDescription(await pc.createOffer());
      const ack = await ctx.request(C.MEDIA_PUBLISH, { sdp: pc.localDescription.sdp, ...sending });
      if (!ack.ok) { closePub(); onError?.(`error.${ack.error?.code}`, ack.error); return false; }
      await pc.setRemoteDescription({ type: "answer", sdp: ack.sdp });
      for (const c of pending.publisher.splice(0)) await pc.addIceCandidate(c).catch(() => {});
    } catch (err) {
      closePub();
      onError?.("media.failed", err);
      return false;
    }
    changed();
    return true;
  }

  /** Turn the microphone, camera or screen on or off while publishing. */
  async function update(want) {
    if (!pub) return publish(want);
    const next = { ...pub.sending, ...want };
    if (!next.audio && !next.video && !next.screen) { await unpublish(); return true; }
    const opened = [];
    try {
      for (const kind of ["audio", "video", "screen"]) {
        if (next[kind] && !pub.tracks[kind]) {
          const track = await capture(kind);
          opened.push(kind);
          pub.tracks[kind] = track;
          pub.stream.addTrack(track);
          await pub.senders[kind].replaceTrack(track);
          if (kind === "screen") track.addEventListener("ended", () => update({ screen: false }));
        }
      }
    } catch (err) {
      for (const kind of opened) stopTrack(kind);
      onError?.(mediaErrorCode(err), err);
      return false;
    }
    const ack = await ctx.request(C.MEDIA_UPDATE, { audio: !!next.audio, video: !!next.video, screen: !!next.screen });
    if (!ack.ok) {
      for (const kind of opened) stopTrack(kind);
      onError?.(`error.${ack.error?.code}`, ack.error);
      return false;
    }
    // What is turned off stops at once: the device is closed, its light goes out.
    for (const kind of ["audio", "video", "screen"]) if (!next[kind] && pub.tracks[kind]) stopTrack(kind);
    pub.sending = next;
    changed();
    return true;
  }

  function stopTrack(kind) {
    const track = pub?.tracks[kind];
    if (!track) return;
    track.stop();
    pub.stream.removeTrack(track);
    pub.senders[kind].replaceTrack(null).catch(() => {});
    delete pub.tracks[kind];
  }

  async function unpublish() {
    if (!pub) return;
    await ctx.request(C.MEDIA_UNPUBLISH, {});
    closePub();
    changed();
  }

  function closePub() {
    for (const tr of Object.values(pub?.tracks || {})) tr.stop(); // the camera light goes off
    pub?.pc.close();
    pub = null;
  }

  // ---- from the server -------------------------------------------------------------

  async function onCandidate({ pc, candidate }) {
    const target = pc === "publisher" ? pub?.pc : sub?.pc;
    const c = candidate || null;
    if (!target || !target.remoteDescription) { if (c) pending[pc]?.push(c); return; }
    await target.addIceCandidate(c || undefined).catch(() => {});
  }

  function onEnded({ pc, reason }) {
    const was = pub ? { ...pub.sending } : null;
    if (pc === "publisher") closePub(); else closeSub();
    if (pc === "publisher" && reason === "engine" && was) {
      // The media server restarted: send again what was sent, with no click.
      again(() => publish(was), () => !pub);
    }
    if (pc === "subscriber" && listening && reason !== "kicked") {
      // Moved to a table on another media server, or the engine restarted:
      // hear the new place again, with no click.
      if (reason === "engine") again(listen, () => listening && !sub); else listen();
    }
    changed();
    return reason;
  }

  /** Try `task` (true when it worked) after 1, 2, 4, then every 8 s for about a
   * minute while `wanted()`: a restarted media server takes a moment to answer
   * (longer on a loaded machine), and until then requests are `unavailable`. */
  async function again(task, wanted) {
    for (let i = 0, wait = 1000; i < 10; i += 1, wait = Math.min(wait * 2, 8000)) {
      await new Promise((done) => setTimeout(done, wait));
      if (!wanted()) return; // the person started or stopped it themselves
      if (await task()) return;
    }
  }

  function stop() {
    clearInterval(meterTimer);
    meterTimer = 0;
    closePub();
    closeSub();
    audioCtx?.close();
    audioCtx = null;
    listening = false;
  }

  return {
    listen, stopListening, publish, update, unpublish, onOffer, onCandidate, onEnded, place, stop,
    get listening() { return listening; },
    /** How many publisher and subscriber connections this page has set up. */
    get made() { return { ...made }; },
    get sending() { return pub ? { ...pub.sending } : { audio: false, video: false, screen: false }; },
    get localStream() { return pub?.stream || null; },
    get localVideo() { return pub ? (pub.tracks.screen || pub.tracks.video || null) : null; },
    get remote() { return remote; },
    get state() { return { publisher: pub?.pc.iceConnectionState || null, subscriber: sub?.pc.iceConnectionState || null }; },
    setDevices(d) { Object.assign(devices, d); if (d.speaker != null) { sinkId = d.speaker; audioCtx?.setSinkId?.(sinkId).catch(() => {}); } },
    get devices() { return { ...devices, speaker: sinkId }; },
    /** For tests: the gain of each voice now. */
    gains() { return Object.fromEntries([...remote].filter(([, r]) => r.gain).map(([p, r]) => [p, r.level])); },
    /** For tests and the stats view: the subscriber's and publisher's getStats. */
    async stats() {
      const out = {};
      for (const [name, pc] of [["publisher", pub?.pc], ["subscriber", sub?.pc]]) {
        if (!pc) continue;
        const rows = [];
        (await pc.getStats()).forEach((s) => { if (s.type === "inbound-rtp" || s.type === "outbound-rtp") rows.push({ type: s.type, kind: s.kind, mid: s.mid, bytesReceived: s.bytesReceived, bytesSent: s.bytesSent, framesDecoded: s.framesDecoded }); });
        out[name] = rows;
      }
      return out;
    },
  };
}
