// The Codex player: hls.js (served from /vendor, installed by the build) on a <video> or
// <audio> element with native controls, plus speed and quality choices, keyboard shortcuts
// (space, f, left and right arrows), chapter buttons that seek, and position saving every
// 15 s, on pause and on leave.
const root = document.querySelector("[data-player]");
if (root) start(root);

function start(root) {
  const media = root.querySelector("video, audio");
  const src = root.dataset.src;
  const contentId = root.dataset.content;
  const resumeAt = parseFloat(root.dataset.resume || "0");
  // Endpoints come from the page, which takes them from the server functions themselves.
  const progressUrl = root.dataset.progress;
  const speed = root.querySelector("#player-speed");
  const quality = root.querySelector("#player-quality");
  let hls = null;

  if (window.Hls && window.Hls.isSupported()) {
    hls = new window.Hls({ startPosition: resumeAt > 0 ? resumeAt : -1 });
    hls.loadSource(src);
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
  } else if (media.canPlayType("application/vnd.apple.mpegurl")) {
    media.src = src;
    media.addEventListener("loadedmetadata", () => { if (resumeAt > 0) media.currentTime = resumeAt; }, { once: true });
  }
  root.dataset.ready = "true";

  speed?.addEventListener("change", () => { media.playbackRate = parseFloat(speed.value); });
  quality?.addEventListener("change", () => { if (hls) hls.currentLevel = parseInt(quality.value, 10); });

  document.addEventListener("keydown", (event) => {
    const tag = event.target?.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || tag === "BUTTON" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " ") {
      event.preventDefault();
      media.paused ? media.play() : media.pause();
    } else if (event.key === "f" && media.requestFullscreen) {
      document.fullscreenElement ? document.exitFullscreen() : root.requestFullscreen();
    } else if (event.key === "ArrowRight") {
      media.currentTime = Math.min(media.duration || Infinity, media.currentTime + 5);
    } else if (event.key === "ArrowLeft") {
      media.currentTime = Math.max(0, media.currentTime - 5);
    }
  });

  // Chapters: each button seeks to its start; the one playing is marked.
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
