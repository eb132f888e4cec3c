/* The window rating tablet (评价器): polls the server for its state, shows the badge card
 * or the five levels, and sends ratings. The five levels are offered only for the visit of
 * the citizen still at the window: the server's state drops it the moment the next visit
 * starts, and refuses (409, with the state to show now) a tap made after that. Ratings are queued in localStorage first and sent
 * until the server answers, each with a client id generated here, so a retry never counts
 * twice; the server computes the rating time from the age sent with it. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("tablet-config").textContent);
  var QUEUE_KEY = "hall-tablet-queue";
  var OFFLINE_AFTER = 3; // polls in a row without an answer: the network is down
  var failedPolls = 0;
  var sendFailing = false;
  var RATED_KEY = "hall-tablet-rated";
  var MAX_BACKOFF_MS = 30000;
  var DROP_STATUSES = [400, 403, 404, 409];

  var screen = "idle";
  var lastState = null;
  var current = null; // the visit offered for rating: {visit_id, ticket_no, deadlineMs}
  var choice = null; // {visit_id, level, tappedAt}
  var reasons = [];
  var lastTapAt = 0;
  var thanksTimer = null;
  var reasonsTimer = null;
  var flushing = false;
  var backoffMs = 1000;
  var retryTimer = null;

  function $(id) {
    return document.getElementById(id);
  }

  function show(name) {
    screen = name;
    document.body.setAttribute("data-screen", name);
    var sections = document.querySelectorAll(".tablet-screen");
    for (var i = 0; i < sections.length; i++) {
      sections[i].hidden = sections[i].getAttribute("data-screen") !== name;
    }
  }

  function readList(key) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key) || "[]");
      return Array.isArray(value) ? value : [];
    } catch (error) {
      return [];
    }
  }

  function writeList(key, list) {
    window.localStorage.setItem(key, JSON.stringify(list));
  }

  function markRated(visitId) {
    var rated = readList(RATED_KEY).filter(function (id) { return id !== visitId; });
    rated.push(visitId);
    writeList(RATED_KEY, rated.slice(-50));
  }

  function isRated(visitId) {
    return readList(RATED_KEY).indexOf(visitId) !== -1;
  }

  function newClientId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  /* The banner "connection lost: ratings are kept on this tablet" shows only when it is
   * true: ratings wait in the queue because sending them failed, or the network is down
   * (the browser says so, or OFFLINE_AFTER polls in a row went unanswered). One missed
   * poll with nothing queued is no news for the citizen. */
  function setOnline(online) {
    failedPolls = online ? 0 : failedPolls + 1;
    updateBanner();
  }

  function updateBanner() {
    var down = navigator.onLine === false || failedPolls >= OFFLINE_AFTER;
    var waiting = sendFailing && readList(QUEUE_KEY).length > 0;
    $("tablet-status").hidden = !(down || waiting);
    document.body.setAttribute("data-online", down ? "no" : "yes");
  }

  /* ---- the badge card and the state from the server ---- */

  function renderIdle(state) {
    $("idle-window").textContent = state.window.name;
    var staff = state.staff;
    $("badge-card").hidden = !staff;
    $("window-closed").hidden = !!staff;
    if (!staff) {
      return;
    }
    $("badge-name").textContent = staff.name;
    $("badge-no").textContent = staff.badge_no;
    $("badge-title").textContent = [staff.department, staff.job_title].filter(Boolean).join(" · ");
    var photo = $("badge-photo");
    if (staff.photo_url) {
      if (photo.getAttribute("src") !== staff.photo_url) {
        photo.setAttribute("src", staff.photo_url);
      }
      photo.alt = staff.name;
    }
    photo.hidden = !staff.photo_url;
    $("badge-photo-empty").hidden = !!staff.photo_url;
    $("badge-photo-empty").textContent = staff.initials || "";
  }

  function offerRating(pending) {
    current = {
      visit_id: pending.visit_id,
      ticket_no: pending.ticket_no,
      deadlineMs: Date.now() + pending.seconds_left * 1000,
    };
    $("rate-ticket").textContent = pending.ticket_no;
    show("rate");
    tick();
  }

  function applyState(state) {
    lastState = state;
    renderIdle(state);
    var pending = state.pending;
    var offerable = pending && !isRated(pending.visit_id);
    if (screen === "idle" && offerable) {
      offerRating(pending);
    } else if (screen === "rate") {
      /* The next citizen's service started, or the time ran out: close the prompt. */
      if (!offerable) {
        current = null;
        show("idle");
      } else if (pending.visit_id !== current.visit_id) {
        offerRating(pending);
      } else {
        current.deadlineMs = Date.now() + pending.seconds_left * 1000;
      }
    }
  }

  /* The state's ETag: while the window's state is unchanged the server answers 304 with
   * nothing to compute, so polling often stays cheap. */
  var stateTag = null;

  function poll() {
    var headers = { Accept: "application/json" };
    if (stateTag) {
      headers["If-None-Match"] = stateTag;
    }
    window.fetch(config.stateUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: headers,
    }).then(function (response) {
      if (response.status === 401) {
        stateTag = null;
        setOnline(true);
        show("unpaired");
        return null;
      }
      if (response.status === 304) {
        setOnline(true);
        if (readList(QUEUE_KEY).length) {
          flush();
        }
        return null;
      }
      if (!response.ok) {
        throw new Error("state " + response.status);
      }
      stateTag = response.headers.get("ETag");
      return response.json();
    }).then(function (state) {
      if (state) {
        setOnline(true);
        if (screen === "unpaired") {
          show("idle");
        }
        applyState(state);
        if (readList(QUEUE_KEY).length) {
          flush();
        }
      }
    }).catch(function () {
      setOnline(false);
    }).then(function () {
      window.setTimeout(poll, config.pollMs);
    });
  }

  function tick() {
    if (screen === "rate" && current) {
      var left = Math.max(0, Math.ceil((current.deadlineMs - Date.now()) / 1000));
      $("rate-seconds").textContent = config.strings.secondsLeft.replace("%(seconds)s", left);
      if (left <= 0) {
        current = null;
        show("idle");
      }
    }
  }

  /* ---- sending: queue first, then flush until the server answers ---- */

  function enqueue(record) {
    record.client_id = newClientId();
    var queue = readList(QUEUE_KEY);
    queue.push(record);
    writeList(QUEUE_KEY, queue);
    markRated(record.visit_id);
    flush();
  }

  function scheduleRetry() {
    if (retryTimer) {
      return;
    }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }

  function flush() {
    var queue = readList(QUEUE_KEY);
    if (flushing || !queue.length) {
      return;
    }
    flushing = true;
    var record = queue[0];
    window.fetch(config.ratingsUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": config.csrfToken,
      },
      body: JSON.stringify({
        visit_id: record.visit_id,
        level: record.level,
        reasons: record.reasons,
        comment: record.comment,
        phone: record.phone,
        client_id: record.client_id,
        age_ms: Math.max(0, Date.now() - record.tappedAt),
      }),
    }).then(function (response) {
      var done = response.ok || DROP_STATUSES.indexOf(response.status) !== -1;
      if (!done) {
        throw new Error("rating " + response.status);
      }
      if (!response.ok && window.console) {
        window.console.warn("rating refused by the server", response.status);
      }
      if (response.status === 409) {
        response.json().then(refused, function () {});
      }
      writeList(QUEUE_KEY, readList(QUEUE_KEY).filter(function (item) {
        return item.client_id !== record.client_id;
      }));
      backoffMs = 1000;
      flushing = false;
      sendFailing = false;
      updateBanner();
      flush();
    }).catch(function () {
      flushing = false;
      sendFailing = true;
      updateBanner();
      scheduleRetry();
    });
  }

  /* A tap the server refused (the tablet was behind: the next visit had started, or the
   * time was over): leave the thanks screen at once and show what the server says now,
   * e.g. the five levels of the visit that just finished, so the citizen rates that one. */
  function refused(body) {
    if (!body || !body.state) {
      return;
    }
    if (screen === "thanks") {
      window.clearTimeout(thanksTimer);
      show("idle");
    }
    applyState(body.state);
  }

  /* ---- the citizen's taps ---- */

  function guarded() {
    var now = Date.now();
    if (now - lastTapAt < config.tapGuardMs) {
      return false;
    }
    lastTapAt = now;
    return true;
  }

  function thanks() {
    choice = null;
    current = null;
    window.clearTimeout(reasonsTimer);
    show("thanks");
    window.clearTimeout(thanksTimer);
    thanksTimer = window.setTimeout(function () {
      if (lastState && lastState.invite_questionnaire && config.questionnaireUrl) {
        window.location.assign(config.questionnaireUrl);
        return;
      }
      show("idle");
      if (lastState) {
        applyState(lastState);
      }
    }, config.thanksMs);
  }

  function armReasonsTimer() {
    window.clearTimeout(reasonsTimer);
    reasonsTimer = window.setTimeout(function () {
      if (screen === "reasons") {
        choice = null;
        show("idle");
      }
    }, config.reasonsIdleMs);
  }

  function resetReasons() {
    reasons = [];
    var buttons = document.querySelectorAll(".reason-button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", "false");
    }
    $("other-comment").hidden = true;
    $("reason-comment").value = "";
    $("reason-phone").value = "";
    $("reason-error").hidden = true;
  }

  function onLevel(event) {
    if (screen !== "rate" || !current || !guarded()) {
      return;
    }
    var level = parseInt(event.currentTarget.getAttribute("data-level"), 10);
    choice = { visit_id: current.visit_id, level: level, tappedAt: Date.now() };
    if (level >= config.goodFrom) {
      enqueue({
        visit_id: choice.visit_id, level: level, reasons: [], comment: "", phone: "",
        tappedAt: choice.tappedAt,
      });
      thanks();
    } else {
      resetReasons();
      show("reasons");
      armReasonsTimer();
    }
  }

  function onReason(event) {
    var button = event.currentTarget;
    var value = button.getAttribute("data-reason");
    var index = reasons.indexOf(value);
    if (index === -1) {
      reasons.push(value);
    } else {
      reasons.splice(index, 1);
    }
    button.setAttribute("aria-pressed", index === -1 ? "true" : "false");
    $("other-comment").hidden = reasons.indexOf("other") === -1;
    $("reason-error").hidden = true;
    armReasonsTimer();
  }

  function reasonsProblem(comment, phone) {
    if (!reasons.length) {
      return config.strings.needReason;
    }
    if (reasons.indexOf("other") !== -1 && !comment) {
      return config.strings.needComment;
    }
    if (phone && !/^(\+86)?\d{7,15}$/.test(phone.replace(/[\s-]/g, ""))) {
      return config.strings.badPhone;
    }
    return "";
  }

  function onSubmitReasons() {
    if (screen !== "reasons" || !choice) {
      return;
    }
    var comment = reasons.indexOf("other") !== -1 ? $("reason-comment").value.trim() : "";
    var phone = $("reason-phone").value.trim();
    var problem = reasonsProblem(comment, phone);
    $("reason-error").textContent = problem;
    $("reason-error").hidden = !problem;
    if (problem) {
      armReasonsTimer();
      return;
    }
    enqueue({
      visit_id: choice.visit_id, level: choice.level, reasons: reasons.slice(),
      comment: comment, phone: phone, tappedAt: choice.tappedAt,
    });
    thanks();
  }

  function onBack() {
    choice = null;
    window.clearTimeout(reasonsTimer);
    lastTapAt = 0;
    if (current && current.deadlineMs > Date.now()) {
      show("rate");
    } else {
      show("idle");
    }
  }

  function bind(selector, handler) {
    var nodes = document.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].addEventListener("click", handler);
    }
  }

  bind(".level-button", onLevel);
  bind(".reason-button", onReason);
  $("reason-submit").addEventListener("click", onSubmitReasons);
  $("reason-back").addEventListener("click", onBack);
  $("reason-comment").addEventListener("input", armReasonsTimer);
  $("reason-phone").addEventListener("input", armReasonsTimer);
  window.addEventListener("online", function () {
    updateBanner();
    flush();
  });
  window.addEventListener("offline", updateBanner);

  show("idle");
  setOnline(true);
  window.setInterval(tick, 250);
  poll();
  flush();
})();
