// The Codex player: hls.js (served from /vendor, installed by the build) on a <video> or
// <audio> element with native controls, plus speed (remembered) and quality choices,
// captions (remembered; `<track>`s whose URLs carry the token too), picture in picture,
// keyboard shortcuts (listed under "Keyboard shortcuts", `?` opens
// them), chapter buttons that seek, and position saving every 15 s, on pause and on leave.
//
// Each play is a viewing session (an id made here): every 15 s while it changes, and when
// the page goes away, the player reports with `navigator.sendBeacon` what it has seen so
// far: the ranges of the media played (the element's own `played`), the time from pressing
// play to the first frame, stalls after it, quality switches, and whether playback failed or
// the viewer left before the first frame. Totals, not increments: a lost report loses
// nothing and a repeated one adds nothing.
//
// Playback tokens are short-lived: the player renews its token at half its life and puts the
// current one in every URL it loads. A 403 (a token that expired while the tab slept) gets
// one renewal and one more try; a second one with the renewed token, or a refused renewal,
// stops playback with a message instead of retrying for ever. A renewal keeps the player's
// stream lease too: when the customer stopped this device from another one, the renewal
// is refused (409) with the message to show.
const SPEED_KEY = "codex-player-speed";
const CAPTIONS_KEY = "codex-player-captions";
const SPEEDS = ["0.5", "1", "1.5", "2"];

const root = document.querySelector("[data-player]");
if (root) start(root);

function start(root) {
  const media = root.querySelector("video, audio");
  const contentId = root.dataset.content;
  const resumeAt = parseFloat(root.dataset.resume || "0");
  // Endpoints come from the page, which takes them from the server functions themselves.
  const progressUrl = root.dataset.progress;
  const speed = root.querySelector("#player-speed");
  const quality = root.querySelector("#player-quality");
  const message = root.querySelector(".player-message");
  let hls = null;
  const telemetry = viewingReports(root, media);
  const tokens = playbackTokens(root, (text) => {
    telemetry.failed();
    message.textContent = text;
    media.pause();
    if (hls) hls.stopLoad();
  });

  if (window.Hls && window.Hls.isSupported()) {
    hls = new window.Hls({
      startPosition: resumeAt > 0 ? resumeAt : -1,
      loader: tokenLoader(window.Hls.DefaultConfig.loader, tokens),
    });
    hls.loadSource(tokens.master());
    hls.attachMedia(media);
    hls.on(window.Hls.Events.MANIFEST_PARSED, () => {
      if (!quality) return;
      hls.levels.forEach((level, index) => {
        if (!level.height) return;
        const option = document.createElement("option");
        option.value = String(index);
        option.textContent = `${level.height}p`;
        quality.append(option);
      });
    });
    // hls.js reports a refused fragment or playlist as not fatal and tries it again later
    // on its own, for ever; the player decides instead. A 403 for a URL with an old token
    // loads again with the current one; with the current token, one renewal and one more
    // try; refused again with the renewed token, playback stops with a message.
    let renewedForRefusal = false;
    const reload = () => setTimeout(() => { if (!tokens.stopped()) hls.startLoad(media.currentTime); }, 0);
    hls.on(window.Hls.Events.FRAG_LOADED, () => { renewedForRefusal = false; });
    hls.on(window.Hls.Events.LEVEL_SWITCHED, () => telemetry.switched());
    hls.on(window.Hls.Events.ERROR, (_event, data) => {
      if (data.response?.code === 403) {
        const used = tokenOf(data.networkDetails?.responseURL || data.response?.url || "");
        if (used && used !== tokens.current()) {
          reload();
        } else if (!renewedForRefusal) {
          renewedForRefusal = true;
          tokens.renew().then((renewed) => { if (renewed) reload(); });
        } else {
          tokens.stop("Playback stopped: this page's access to the video has ended. Reload the page to continue.");
        }
        return;
      }
      if (!data.fatal) return;
      if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else {
        tokens.stop("Playback stopped: the video could not be loaded. Check your connection and reload the page.");
      }
    });
  } else if (media.canPlayType("application/vnd.apple.mpegurl")) {
    // Native HLS cannot change the token of URLs it already has: after an error it starts
    // again, once, from where it was with a fresh token.
    let retried = false;
    media.src = tokens.master();
    media.addEventListener("loadedmetadata", () => { if (resumeAt > 0) media.currentTime = resumeAt; }, { once: true });
    media.addEventListener("error", () => {
      if (retried) return tokens.stop("Playback stopped. Reload the page to continue.");
      retried = true;
      const at = media.currentTime;
      tokens.renew().then((renewed) => {
        if (!renewed) return;
        media.src = tokens.master();
        media.addEventListener("loadedmetadata", () => { media.currentTime = at; media.play().catch(() => {}); }, { once: true });
      });
    });
  }
  root.dataset.ready = "true";

  setupSpeed(media, speed);
  quality?.addEventListener("change", () => { if (hls) hls.currentLevel = parseInt(quality.value, 10); });
  const pip = root.querySelector("[data-pip]");
  if (pip && document.pictureInPictureEnabled) {
    pip.hidden = false;
    pip.addEventListener("click", () => togglePictureInPicture(media));
  }
  const captions = setupCaptions(media, root.querySelector("#player-captions"), tokens);
  setupKeys(root, media, speed, captions);
  setupChapters(media);
  setupWaveform(root, media, tokens);
  setupStoryboard(root, media, tokens);
  setupProgress(media, progressUrl, contentId);
}

/**
 * The current token and its renewal. The page's `data-src` is read once: hydration may set
 * it back to the server's first URL, so the current one lives here, and in
 * `data-current-src` (an attribute the page never renders) for whoever looks.
 */
function playbackTokens(root, onStopped) {
  const source = root.dataset.src;
  let token = new URL(source, location.href).searchParams.get("t");
  root.dataset.currentSrc = source;
  let timer = null;
  let pending = null;
  let stopped = false;
  const renewed = [];

  const schedule = (lifetimeSeconds) => {
    clearTimeout(timer);
    timer = setTimeout(renew, Math.max(1, lifetimeSeconds / 2) * 1000);
  };
  const stop = (text) => {
    stopped = true;
    clearTimeout(timer);
    root.dataset.stopped = "true";
    onStopped(text);
  };
  // Resolves to whether a new token arrived; a refusal stops playback, a lost connection
  // tries again in 10 s (the current token may still have time left).
  function renew() {
    if (stopped) return Promise.resolve(false);
    if (pending) return pending;
    const body = new URLSearchParams({ content_id: root.dataset.content });
    if (root.dataset.lease) body.set("lease", root.dataset.lease);
    pending = fetch(root.dataset.renew, { method: "POST", body })
      .then(async (response) => {
        if (response.ok) {
          const grant = await response.json();
          token = grant.token;
          root.dataset.currentSrc = withToken(source, token);
          schedule(grant.lifetime_seconds);
          renewed.forEach((listener) => listener());
          return true;
        }
        if (response.status === 409) {
          // The stream was stopped from another device, or the account is at its limit:
          // the server says which.
          stop(await refusal(response, "Playback stopped. Reload the page to continue."));
        } else if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          stop("Playback stopped: you no longer have access to this item.");
        } else {
          timer = setTimeout(renew, 10_000);
        }
        return false;
      })
      .catch(() => { timer = setTimeout(renew, 10_000); return false; })
      .finally(() => { pending = null; });
    return pending;
  }
  schedule(parseFloat(root.dataset.tokenLifetime || "900"));
  return {
    renew,
    stop,
    current: () => token,
    stopped: () => stopped,
    url: (url) => withToken(url, token),
    master: () => withToken(source, token),
    onRenewed: (listener) => renewed.push(listener),
  };
}

/** The message of a refused server function call (`{"Conflict": "..."}`), or `fallback`. */
async function refusal(response, fallback) {
  try {
    const answer = await response.json();
    return (answer && typeof answer.Conflict === "string") ? answer.Conflict : fallback;
  } catch {
    return fallback;
  }
}

function tokenOf(url) {
  try {
    return new URL(url, location.href).searchParams.get("t");
  } catch {
    return null;
  }
}

function withToken(url, token) {
  const parsed = new URL(url, location.href);
  if (!parsed.searchParams.has("t")) return url;
  parsed.searchParams.set("t", token);
  return parsed.toString();
}

/** hls.js's own loader, with the current token put into each URL as it is loaded. */
function tokenLoader(Base, tokens) {
  return class TokenLoader extends Base {
    load(context, config, callbacks) {
      context.url = tokens.url(context.url);
      super.load(context, config, callbacks);
    }
  };
}

function setupSpeed(media, speed) {
  if (!speed) return;
  const remembered = localStorage.getItem(SPEED_KEY);
  if (SPEEDS.includes(remembered)) speed.value = remembered;
  const apply = () => { media.playbackRate = parseFloat(speed.value); };
  // hls.js resets the rate when it attaches; the chosen one is applied again as it plays.
  media.addEventListener("loadedmetadata", apply);
  apply();
  speed.addEventListener("change", () => {
    apply();
    localStorage.setItem(SPEED_KEY, speed.value);
  });
}

/**
 * The "Captions" menu and the video's own captions button stay in step; the choice is
 * remembered. Tracks not loaded yet get the current token whenever it is renewed.
 */
function setupCaptions(media, select, tokens) {
  const elements = [...media.querySelectorAll("track")];
  if (!select || elements.length === 0) return null;
  const freshen = () => elements.forEach((element) => {
    if (element.readyState !== 2) element.src = tokens.url(element.src);
  });
  tokens.onRenewed(freshen);
  const show = (language) => {
    freshen();
    for (const track of media.textTracks) {
      track.mode = language && track.language === language ? "showing" : "disabled";
    }
  };
  const showing = () => [...media.textTracks].find((track) => track.mode === "showing")?.language || "";
  select.addEventListener("change", () => {
    show(select.value);
    localStorage.setItem(CAPTIONS_KEY, select.value);
  });
  media.textTracks.addEventListener("change", () => {
    const language = showing();
    if (select.value === language) return;
    select.value = language;
    localStorage.setItem(CAPTIONS_KEY, language);
  });
  const remembered = localStorage.getItem(CAPTIONS_KEY);
  if (remembered && [...select.options].some((option) => option.value === remembered)) {
    select.value = remembered;
    show(remembered);
  }
  return {
    // `c`: off when on; otherwise the remembered language, or the first.
    toggle: () => {
      const remembered = localStorage.getItem(CAPTIONS_KEY);
      const next = showing() ? "" : (remembered && [...select.options].some((o) => o.value === remembered) ? remembered : select.options[1].value);
      select.value = next;
      select.dispatchEvent(new Event("change"));
    },
  };
}

function togglePictureInPicture(media) {
  if (document.pictureInPictureElement) document.exitPictureInPicture().catch(() => {});
  else media.requestPictureInPicture?.().catch(() => {});
}

function setupKeys(root, media, speed, captions) {
  const help = root.querySelector("[data-keys]");
  const skip = (seconds) => {
    media.currentTime = Math.min(Math.max(0, media.currentTime + seconds), media.duration || Infinity);
  };
  const stepSpeed = (step) => {
    if (!speed) return;
    const next = SPEEDS[SPEEDS.indexOf(speed.value) + step];
    if (next === undefined) return;
    speed.value = next;
    speed.dispatchEvent(new Event("change"));
  };
  const actions = {
    " ": () => (media.paused ? media.play().catch(() => {}) : media.pause()),
    k: () => actions[" "](),
    ArrowRight: () => skip(5),
    ArrowLeft: () => skip(-5),
    l: () => skip(10),
    j: () => skip(-10),
    m: () => { media.muted = !media.muted; },
    ">": () => stepSpeed(1),
    "<": () => stepSpeed(-1),
    "?": () => { if (help) help.open = !help.open; },
  };
  if (media.tagName === "VIDEO") {
    actions.f = () => (document.fullscreenElement ? document.exitFullscreen() : root.requestFullscreen?.());
    actions.p = () => togglePictureInPicture(media);
  }
  if (captions) actions.c = captions.toggle;
  document.addEventListener("keydown", (event) => {
    const tag = event.target?.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || tag === "BUTTON" || tag === "SUMMARY" || event.ctrlKey || event.metaKey || event.altKey) return;
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}

/** The URL of a file next to the master playlist, with the current token. */
function besideMaster(root, tokens, name) {
  const url = new URL(tokens.master(), location.href);
  url.pathname = url.pathname.replace(/master\.m3u8$/, name);
  url.searchParams.set("t", tokens.current());
  return url;
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const [h, m, rest] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(rest)}` : `${m}:${two(rest)}`;
}

/** Parses the storyboard's WebVTT: [{ start, end, file, x, y, w, h }]. */
function storyboardCues(text) {
  const seconds = (stamp) => stamp.split(":").reduce((total, part) => total * 60 + parseFloat(part), 0);
  const cues = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length - 1; i++) {
    const timing = lines[i].match(/^([\d:.]+)\s+-->\s+([\d:.]+)/);
    const target = lines[i + 1].match(/^([\w.-]+)#xywh=(\d+),(\d+),(\d+),(\d+)$/);
    if (!timing || !target) continue;
    const [, file, x, y, w, h] = target;
    cues.push({ start: seconds(timing[1]), end: seconds(timing[2]), file, x: +x, y: +y, w: +w, h: +h });
  }
  return cues;
}

/** Video: previews of the frames under the pointer on the bar below the video; a click seeks. */
function setupStoryboard(root, media, tokens) {
  const bar = root.querySelector("[data-storyboard]");
  if (!bar) return;
  const preview = bar.querySelector(".scrub-preview");
  const time = bar.querySelector(".scrub-time");
  const played = bar.querySelector(".scrub-played");
  const vtt = besideMaster(root, tokens, "storyboard.vtt");
  fetch(vtt)
    .then((response) => (response.ok ? response.text() : ""))
    .then((text) => {
      const cues = storyboardCues(text);
      if (cues.length === 0) return;
      bar.hidden = false;
      const duration = () => media.duration || cues[cues.length - 1].end;
      const at = (event) => {
        const box = bar.getBoundingClientRect();
        return { x: event.clientX - box.left, t: Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)) * duration() };
      };
      bar.addEventListener("pointermove", (event) => {
        const { x, t } = at(event);
        const cue = cues.find((c) => t >= c.start && t < c.end) || cues[cues.length - 1];
        const sheet = new URL(cue.file, vtt);
        sheet.searchParams.set("t", tokens.current());
        preview.style.backgroundImage = `url("${sheet}")`;
        preview.style.backgroundPosition = `-${cue.x}px -${cue.y}px`;
        preview.style.width = `${cue.w}px`;
        preview.style.height = `${cue.h}px`;
        preview.style.left = `${Math.min(Math.max(0, x - cue.w / 2), bar.clientWidth - cue.w)}px`;
        time.textContent = clock(t);
        preview.hidden = false;
      });
      bar.addEventListener("pointerleave", () => { preview.hidden = true; });
      bar.addEventListener("click", (event) => { media.currentTime = at(event).t; });
      media.addEventListener("timeupdate", () => {
        played.style.width = `${(media.currentTime / duration()) * 100}%`;
      });
    })
    .catch(() => {});
}

/** Audio: the waveform (`peaks.json` next to the playlists), played part in colour; a click seeks. */
function setupWaveform(root, media, tokens) {
  const canvas = root.querySelector("[data-waveform]");
  if (!canvas) return;
  fetch(besideMaster(root, tokens, "peaks.json"))
    .then((response) => (response.ok ? response.json() : null))
    .then((waveform) => {
      const peaks = waveform?.peaks;
      if (!Array.isArray(peaks) || peaks.length === 0) return;
      canvas.hidden = false;
      const context = canvas.getContext("2d");
      const colours = getComputedStyle(canvas);
      const draw = () => {
        const { width, height } = canvas;
        const played = media.duration ? media.currentTime / media.duration : 0;
        const bar = width / peaks.length;
        context.clearRect(0, 0, width, height);
        peaks.forEach((peak, index) => {
          const x = index * bar;
          const h = Math.max(1, peak * height);
          context.fillStyle = x / width < played ? colours.getPropertyValue("--waveform-played").trim() || "#6366f1" : colours.getPropertyValue("--waveform").trim() || "#9ca3af";
          context.fillRect(x, (height - h) / 2, Math.max(1, bar - 1), h);
        });
      };
      draw();
      media.addEventListener("timeupdate", draw);
      media.addEventListener("loadedmetadata", draw);
      canvas.addEventListener("click", (event) => {
        if (!media.duration) return;
        const box = canvas.getBoundingClientRect();
        media.currentTime = ((event.clientX - box.left) / box.width) * media.duration;
        draw();
      });
    })
    .catch(() => {});
}

// Chapters: each button seeks to its start; the one playing is marked.
function setupChapters(media) {
  const chapters = [...document.querySelectorAll("[data-seek]")];
  chapters.forEach((button) => button.addEventListener("click", () => {
    media.currentTime = parseFloat(button.dataset.seek);
    media.play().catch(() => {});
  }));
  media.addEventListener("timeupdate", () => {
    let current = null;
    for (const button of chapters) if (parseFloat(button.dataset.seek) <= media.currentTime) current = button;
    chapters.forEach((button) => button.toggleAttribute("aria-current", button === current));
  });
}

/** The viewing session's reports (see the top of this file). */
function viewingReports(root, media) {
  const url = root.dataset.beacon;
  const report = {
    session: crypto.randomUUID ? crypto.randomUUID() : fallbackUuid(),
    content_id: root.dataset.content,
    watched: [],
    startup_ms: null,
    stall_ms: 0,
    stalls: 0,
    switches: 0,
    failed: false,
    exited_before_start: false,
  };
  let asked = null;
  let stalledAt = null;
  let levels = 0;
  let sent = "";
  const now = () => performance.now();
  media.addEventListener("play", () => { if (asked === null) asked = now(); });
  media.addEventListener("playing", () => {
    if (report.startup_ms === null && asked !== null) report.startup_ms = Math.round(now() - asked);
    if (stalledAt !== null) {
      report.stall_ms += Math.round(now() - stalledAt);
      stalledAt = null;
    }
  });
  // A wait after the first frame that no seek caused is a stall.
  media.addEventListener("waiting", () => {
    if (report.startup_ms !== null && !media.seeking && stalledAt === null) {
      stalledAt = now();
      report.stalls += 1;
    }
  });
  media.addEventListener("seeking", () => { stalledAt = null; });
  const send = (leaving) => {
    if (!url || asked === null) return;
    const played = media.played;
    report.watched = [];
    for (let i = 0; i < played.length && i < 200; i++) report.watched.push([played.start(i), played.end(i)]);
    report.exited_before_start = leaving && report.startup_ms === null;
    const body = JSON.stringify(report);
    if (body === sent) return;
    sent = body;
    navigator.sendBeacon(url, new Blob([body], { type: "text/plain;charset=UTF-8" }));
  };
  setInterval(() => send(false), 15000);
  media.addEventListener("pause", () => send(false));
  window.addEventListener("pagehide", () => send(true));
  return {
    failed: () => { report.failed = true; send(false); },
    // The first level hls.js picks is not a switch.
    switched: () => { levels += 1; if (levels > 1) report.switches += 1; },
    send,
  };
}

function fallbackUuid() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function setupProgress(media, progressUrl, contentId) {
  let lastSaved = -1;
  const body = () => new URLSearchParams({ content_id: contentId, position_seconds: media.currentTime.toFixed(1) });
  const save = () => {
    if (Math.abs(media.currentTime - lastSaved) < 0.5) return;
    lastSaved = media.currentTime;
    fetch(progressUrl, { method: "POST", body: body(), keepalive: true }).catch(() => {});
  };
  setInterval(() => { if (!media.paused) save(); }, 15000);
  media.addEventListener("pause", save);
  window.addEventListener("pagehide", () => navigator.sendBeacon(progressUrl, body()));
}
