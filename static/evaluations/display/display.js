/* The hall's big screen (叫号显示屏): polls its state every 0.5 s with the ETag it has (the
 * server answers 304 while nothing changed), draws the calls, the waiting counts and
 * today's ratings per window, and announces each new call (a call id greater than the
 * last one seen): in Mandarin through speechSynthesis when a Chinese voice exists, with a
 * chime made by WebAudio otherwise. When the network drops, the last state stays on screen
 * under a small banner and the poll is retried with a growing pause until it answers.
 * Each announcement is recorded in window.__displayAnnouncements ({id, kind, text, method}). */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("display-config").textContent);
  var MODE_KEY = "hall-display-mode";
  var UNPAIRED_POLL_MS = 10000;
  var REQUEST_TIMEOUT_MS = 5000;
  var KEEP_ANNOUNCEMENTS = 200;
  var CLOCK_DRIFT_MS = 3000; // a TV clock off by more than this follows the server's
  var DIGITS = "零一二三四五六七八九";

  var announcements = [];
  window.__displayAnnouncements = announcements;
  var etag = config.etag || null;
  var lastCallId = null;
  var failures = 0;
  var pollTimer = null;
  var pageTimer = null;
  var ratingsPage = 0;
  var lastState = null;
  var clockOffsetMs = 0;
  var audio = null;
  var nextChimeAt = 0;
  var flashTimer = null;

  function $(id) {
    return document.getElementById(id);
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) {
      return values[name];
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /* ---- large text / high contrast: ?mode=large (kept) or the toggle ---- */

  function storedMode() {
    try {
      return window.localStorage.getItem(MODE_KEY);
    } catch (error) {
      return null;
    }
  }

  function setMode(mode, keep) {
    document.body.setAttribute("data-mode", mode);
    $("display-mode-toggle").setAttribute("aria-pressed", mode === "large" ? "true" : "false");
    if (keep) {
      try {
        window.localStorage.setItem(MODE_KEY, mode);
      } catch (error) {
        /* private mode: the mode lasts as long as the page */
      }
    }
    if (lastState) {
      renderRatings(lastState.ratings);
    }
  }

  /* ---- the clock, in the hall's time zone ---- */

  function locale() {
    return config.language.indexOf("zh") === 0 ? "zh-CN" : "en-GB";
  }

  function tickClock() {
    var now = new Date(Date.now() + clockOffsetMs);
    var options = { timeZone: config.timeZone };
    $("clock-date").textContent = now.toLocaleDateString(locale(), Object.assign({
      year: "numeric", month: "long", day: "numeric", weekday: "long",
    }, options));
    $("clock-time").textContent = now.toLocaleTimeString(locale(), Object.assign({
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
    }, options));
    window.setTimeout(tickClock, 1000 - (now.getTime() % 1000) + 20);
  }

  function followServerClock(response) {
    var header = response.headers.get("Date");
    var server = header ? Date.parse(header) : NaN;
    if (!isNaN(server)) {
      var offset = server - Date.now();
      clockOffsetMs = Math.abs(offset) > CLOCK_DRIFT_MS ? offset : 0;
    }
  }

  /* ---- drawing the state ---- */

  function windowLabel(number) {
    return format(config.strings.window, { number: number });
  }

  function renderCalling(calling) {
    var main = calling[0];
    $("calling-ticket").hidden = !main;
    $("calling-window").hidden = !main;
    $("calling-empty").hidden = !!main;
    if (main) {
      $("calling-ticket").textContent = main.ticket_no;
      $("calling-window").textContent = windowLabel(main.window);
    } else {
      $("calling-empty").textContent = config.strings.noCalls;
    }
    var others = $("calling-others");
    others.textContent = "";
    calling.slice(1).forEach(function (call) {
      var item = element("li");
      item.appendChild(element("span", "ticket", call.ticket_no));
      item.appendChild(document.createTextNode(" → " + windowLabel(call.window)));
      others.appendChild(item);
    });
  }

  function renderRecent(calls) {
    var list = $("recent-calls");
    list.textContent = "";
    calls.forEach(function (call) {
      var item = element("li");
      item.setAttribute("data-call-id", call.id);
      item.appendChild(element("span", "ticket", call.ticket_no));
      item.appendChild(element("span", "window", windowLabel(call.window)));
      if (call.kind === "recall") {
        item.appendChild(element("span", "badge-recall", config.strings.recall));
      }
      item.appendChild(element("span", "time", call.time));
      list.appendChild(item);
    });
  }

  function renderWaiting(waiting, total) {
    var list = $("waiting-list");
    list.textContent = "";
    waiting.forEach(function (row) {
      var item = element("li");
      item.setAttribute("data-prefix", row.prefix);
      item.appendChild(element("span", "prefix", row.prefix));
      item.appendChild(element("span", "name", row.name));
      item.appendChild(element("span", "count", format(config.strings.people, { count: row.waiting })));
      list.appendChild(item);
    });
    $("waiting-total").textContent = total;
  }

  function renderRatings(ratings) {
    var panel = $("ratings-panel");
    document.body.classList.toggle("no-ratings", !ratings);
    panel.hidden = !ratings;
    if (!ratings) {
      return;
    }
    var body = $("ratings-rows");
    body.textContent = "";
    ratings.forEach(function (row) {
      var tr = element("tr");
      tr.setAttribute("data-window", row.window);
      var name = element("td", "window");
      name.appendChild(element("span", "window-name", row.name));
      name.appendChild(element("span", "window-number", windowLabel(row.window)));
      tr.appendChild(name);
      tr.appendChild(element("td", "num col-visits", String(row.visits)));
      tr.appendChild(element("td", "num", row.evaluation_rate));
      tr.appendChild(element("td", "num", row.satisfaction_rate));
      body.appendChild(tr);
    });
    paginateRatings();
  }

  /* A table longer than its panel shows a page at a time, turning every few seconds. */
  function paginateRatings() {
    var rows = $("ratings-rows").rows;
    var i;
    for (i = 0; i < rows.length; i++) {
      rows[i].hidden = false;
    }
    var perPage = rows.length;
    if (rows.length) {
      var panel = $("ratings-panel").getBoundingClientRect();
      var top = $("ratings-rows").getBoundingClientRect().top;
      var rowHeight = rows[0].getBoundingClientRect().height || 1;
      var padding = parseFloat(window.getComputedStyle($("ratings-panel")).paddingBottom) || 0;
      perPage = Math.max(1, Math.floor((panel.bottom - padding - top) / rowHeight));
    }
    var pages = Math.max(1, Math.ceil(rows.length / perPage));
    if (ratingsPage >= pages) {
      ratingsPage = 0;
    }
    for (i = 0; i < rows.length; i++) {
      rows[i].hidden = Math.floor(i / perPage) !== ratingsPage;
    }
    $("ratings-page").textContent = pages > 1
      ? format(config.strings.page, { page: ratingsPage + 1, pages: pages })
      : "";
    window.clearTimeout(pageTimer);
    if (pages > 1) {
      pageTimer = window.setTimeout(function () {
        ratingsPage = (ratingsPage + 1) % pages;
        paginateRatings();
      }, config.pageSeconds * 1000);
    }
  }

  function render(state) {
    lastState = state;
    $("display-hall").textContent = state.hall;
    renderCalling(state.calling);
    renderRecent(state.calls);
    renderWaiting(state.waiting, state.waiting_total);
    renderRatings(state.ratings);
    var phone = $("display-phone");
    phone.hidden = !state.supervision_phone;
    phone.querySelector("strong").textContent = state.supervision_phone || "";
  }

  /* ---- announcing new calls ---- */

  function chineseVoice() {
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) {
      return null;
    }
    var voices = window.speechSynthesis.getVoices().filter(function (voice) {
      var lang = (voice.lang || "").replace("_", "-").toLowerCase();
      return lang.indexOf("zh") === 0 && lang !== "zh-hk" && lang.indexOf("yue") === -1;
    });
    var mainland = voices.filter(function (voice) {
      return /^zh[-_]cn/i.test(voice.lang);
    });
    return mainland[0] || voices[0] || null;
  }

  /* "请A012号到5号窗口办理" is spoken "A零一二号", digit by digit, as halls call numbers. */
  function spoken(text) {
    return text.replace(/([A-Z]*)(\d+)号到/, function (match, prefix, digits) {
      return prefix + digits.replace(/\d/g, function (digit) {
        return DIGITS.charAt(Number(digit));
      }) + "号到";
    });
  }

  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      audio = new Context();
    }
    return audio;
  }

  /* Two falling tones ("ding-dong"), made here: no sound file to download. */
  function chime() {
    var context = audioContext();
    if (!context) {
      return;
    }
    if (context.state === "suspended") {
      context.resume();
    }
    var start = Math.max(context.currentTime + 0.05, nextChimeAt);
    [[659.25, 0], [523.25, 0.45]].forEach(function (note) {
      var oscillator = context.createOscillator();
      var gain = context.createGain();
      var at = start + note[1];
      oscillator.type = "sine";
      oscillator.frequency.value = note[0];
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.5, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.1);
      oscillator.connect(gain);
      gain.connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 1.2);
    });
    nextChimeAt = start + 1.8;
  }

  function speak(text, voice) {
    var utterance = new window.SpeechSynthesisUtterance(spoken(text));
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }

  function announce(call) {
    var voice = chineseVoice();
    announcements.push({
      id: call.id,
      kind: call.kind,
      text: call.announcement,
      method: voice ? "speech" : "chime",
    });
    if (announcements.length > KEEP_ANNOUNCEMENTS) {
      announcements.shift();
    }
    try {
      if (voice) {
        speak(call.announcement, voice);
      } else {
        chime();
      }
    } catch (error) {
      /* no sound on this screen: the call still shows */
    }
  }

  function flash() {
    var main = $("calling-main");
    main.classList.remove("is-new");
    void main.offsetWidth; // restart the animation
    main.classList.add("is-new");
    window.clearTimeout(flashTimer);
    flashTimer = window.setTimeout(function () {
      main.classList.remove("is-new");
    }, 4000);
  }

  function announceNew(calls) {
    var newest = calls.reduce(function (most, call) {
      return Math.max(most, call.id);
    }, lastCallId || 0);
    if (lastCallId === null) { // the calls made before the page opened are not announced
      lastCallId = newest;
      return;
    }
    var fresh = calls.filter(function (call) {
      return call.id > lastCallId;
    }).sort(function (a, b) {
      return a.id - b.id;
    });
    lastCallId = newest;
    fresh.forEach(announce);
    if (fresh.length) {
      flash();
    }
  }

  /* Browsers play sound only after a first click, unless the screen's browser is started
   * to allow it (README: the big screen). The hint shows until sound is allowed. */
  function unlockSound() {
    var context = audioContext();
    var resumed = context && context.state === "suspended" ? context.resume() : null;
    if (window.speechSynthesis && window.SpeechSynthesisUtterance) {
      window.speechSynthesis.speak(new window.SpeechSynthesisUtterance(""));
    }
    $("display-sound").hidden = true;
    return resumed;
  }

  function checkSound() {
    var context = audioContext();
    $("display-sound").hidden = !context || context.state !== "suspended";
  }

  /* ---- polling ---- */

  function schedule(ms) {
    window.clearTimeout(pollTimer);
    pollTimer = window.setTimeout(poll, ms);
  }

  function setConnected(connected) {
    failures = connected ? 0 : failures + 1;
    var down = !connected && (failures >= config.offlineAfter || navigator.onLine === false);
    $("display-offline").hidden = !down;
    document.body.setAttribute("data-online", down ? "no" : "yes");
  }

  function setUnpaired(unpaired) {
    $("display-unpaired").hidden = !unpaired;
  }

  function poll() {
    var headers = { Accept: "application/json" };
    if (etag) {
      headers["If-None-Match"] = etag;
    }
    var controller = window.AbortController ? new window.AbortController() : null;
    var timeout = controller
      ? window.setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS)
      : null;
    var unpaired = false;
    window.fetch(config.stateUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: headers,
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      followServerClock(response);
      if (response.status === 401) {
        unpaired = true;
        etag = null;
        return null;
      }
      if (response.status === 304) {
        return null;
      }
      if (!response.ok) {
        throw new Error("state " + response.status);
      }
      etag = response.headers.get("ETag");
      return response.json();
    }).then(function (state) {
      window.clearTimeout(timeout);
      setConnected(true);
      setUnpaired(unpaired);
      if (state) {
        announceNew(state.calls);
        render(state);
      }
      schedule(unpaired ? UNPAIRED_POLL_MS : config.pollMs);
    }).catch(function () {
      window.clearTimeout(timeout);
      setConnected(false);
      schedule(Math.min(config.maxBackoffMs, config.pollMs * Math.pow(2, failures)));
    });
  }

  /* ---- start ---- */

  setMode(config.mode || (storedMode() === "large" ? "large" : "normal"), !!config.mode);
  $("display-mode-toggle").addEventListener("click", function (event) {
    event.stopPropagation();
    unlockSound();
    setMode(document.body.getAttribute("data-mode") === "large" ? "normal" : "large", true);
  });
  document.addEventListener("click", unlockSound);
  document.addEventListener("keydown", unlockSound);
  window.addEventListener("online", function () {
    schedule(0);
  });
  window.addEventListener("offline", function () {
    setConnected(false);
  });
  window.addEventListener("resize", function () {
    if (lastState) {
      renderRatings(lastState.ratings);
    }
  });
  if (window.speechSynthesis) {
    window.speechSynthesis.getVoices(); // the voices load in the background; ask early
  }
  announceNew(config.state.calls);
  render(config.state);
  tickClock();
  window.setTimeout(checkSound, 1000);
  schedule(config.pollMs);
})();
