/**
 * MTT Business calls card: the office's calls right now, its workplaces, a form to
 * place a call and (where Home Assistant has the integration's call journal) the
 * recent calls.
 *
 * A plain ES module (no build step, no dependency): two custom elements with
 * shadow DOM. The data comes from the integration's websocket subscription
 * `mtt_business/calls/subscribe` (a full picture at once and after each change);
 * the buttons call the actions `mtt_business.make_call`, `transfer_call` and
 * `terminate_call`. Colours come from the theme's CSS variables. Everything shown
 * from a call is set as text, never as HTML.
 *
 * The card formats no party itself: the integration sends each as people read it
 * (`caller_display`, `caller_number`…: a workplace's name, else the contact's,
 * else the formatted number). Dates, times and counts follow the user's profile:
 * its language, number and time formats, and its time zone option (the browser's
 * zone, or Home Assistant's).
 */

const DOMAIN = "mtt_business";
const CARD = "mtt-business-card";
const EDITOR = "mtt-business-card-editor";
const JOURNAL_LIMIT = 10;
/** Milliseconds after a call ended before the journal is read again (twice: the
 * recording comes a little later). */
const JOURNAL_REFRESH = [2000, 15000];

const TEXTS = {
  en: {
    name: "MTT Business calls",
    description:
      "Calls of the office's MTT Business PBX right now: transfer or end them, see the workplaces, place a call.",
    title: "Calls",
    active: "Active calls",
    noCalls: "No calls right now.",
    more: (n) => `${n} more calls are not shown.`,
    noEntries: "No MTT Business PBX is connected.",
    workplaces: "Workplaces",
    makeCall: "Place a call",
    from: "From",
    number: "Number",
    call: "Call",
    transfer: "Transfer",
    transferTo: "Transfer to",
    chooseWorkplace: "a workplace…",
    orNumber: "or a number",
    cancel: "Cancel",
    end: "End",
    at: (workplace) => `At the workplace ${workplace}`,
    history: "Recent calls",
    noHistory: "No calls yet.",
    callBacks: "Call back",
    callBack: "Call back",
    callBackTo: (who) => `Call back ${who}`,
    times: (n) => (n === 1 ? "once" : `${n} times`),
    moreCallBacks: (n) => `${n} more to call back are not shown.`,
    missed: "Missed",
    ghost: "Short call",
    dialled: (number) => `on ${number}`,
    play: "Play the recording",
    stop: "Stop",
    close: "Close",
    unknown: "unknown",
    direction: { incoming: "Incoming", outgoing: "Outgoing", null: "Call" },
    callState: {
      trying: "Connecting",
      showing: "Ringing",
      connected: "Talking",
      hiding: "Transferring",
      finished: "Ended",
    },
    workplaceState: {
      idle: "Free",
      dialing: "Dialing",
      ringing: "Ringing",
      talking: "Talking",
    },
    needWorkplace: "Choose a workplace or type a number.",
    needNumber: "Type the number to call.",
    editor: {
      entry: "PBX",
      allEntries: "Every PBX",
      title: "Title",
      showWorkplaces: "Show the workplaces",
      showCallForm: "Show the call form",
    },
  },
  ru: {
    name: "MTT Business: звонки",
    description:
      "Звонки виртуальной АТС МТТ Бизнес прямо сейчас: перевести или завершить, рабочие места, позвонить.",
    title: "Звонки",
    active: "Текущие звонки",
    noCalls: "Сейчас звонков нет.",
    more: (n) => `Ещё звонков не показано: ${n}.`,
    noEntries: "Нет подключённой АТС МТТ Бизнес.",
    workplaces: "Рабочие места",
    makeCall: "Позвонить",
    from: "С рабочего места",
    number: "Номер",
    call: "Позвонить",
    transfer: "Перевести",
    transferTo: "Перевести на",
    chooseWorkplace: "рабочее место…",
    orNumber: "или номер",
    cancel: "Отмена",
    end: "Завершить",
    at: (workplace) => `Рабочее место: ${workplace}`,
    history: "Последние звонки",
    noHistory: "Звонков ещё не было.",
    callBacks: "Перезвонить",
    callBack: "Перезвонить",
    callBackTo: (who) => `Перезвонить: ${who}`,
    times: (n) => {
      const tens = n % 100;
      const ones = n % 10;
      if (ones >= 2 && ones <= 4 && (tens < 12 || tens > 14)) return `${n} раза`;
      return `${n} раз`;
    },
    moreCallBacks: (n) => `Ещё не показано: ${n}.`,
    missed: "Пропущен",
    ghost: "Короткий вызов",
    dialled: (number) => `на ${number}`,
    play: "Прослушать запись",
    stop: "Стоп",
    close: "Закрыть",
    unknown: "неизвестно",
    direction: { incoming: "Входящий", outgoing: "Исходящий", null: "Звонок" },
    callState: {
      trying: "Соединение",
      showing: "Звонит",
      connected: "Разговор",
      hiding: "Переводится",
      finished: "Завершён",
    },
    workplaceState: {
      idle: "Свободно",
      dialing: "Набор номера",
      ringing: "Звонит",
      talking: "Разговор",
    },
    needWorkplace: "Выберите рабочее место или введите номер.",
    needNumber: "Введите номер.",
    editor: {
      entry: "АТС",
      allEntries: "Все АТС",
      title: "Заголовок",
      showWorkplaces: "Показывать рабочие места",
      showCallForm: "Показывать форму звонка",
    },
  },
};

/** Home Assistant connections known not to have the journal: asked once each. */
const withoutJournal = new WeakSet();

const DIRECTION_ICONS = {
  incoming: "mdi:phone-incoming",
  outgoing: "mdi:phone-outgoing",
};

/** The card's language: Russian for a Russian profile or Home Assistant, else English. */
function languageOf(hass) {
  const language = hass?.locale?.language || hass?.language || "en";
  return String(language).toLowerCase().startsWith("ru") ? "ru" : "en";
}

function browserLanguage() {
  return (navigator.language || "en").toLowerCase().startsWith("ru") ? "ru" : "en";
}

/** `h("li", {className: "call"}, child, "text")`: an element, its properties and
 * children (strings become text nodes). */
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key in element) element[key] = value;
    else element.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

function icon(name) {
  return h("ha-icon", { icon: name, className: "icon" });
}

/** Seconds as `m:ss` or `h:mm:ss`. */
function formatDuration(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/** Time since an ISO timestamp, as a running timer shows it. */
function elapsed(since, now = Date.now()) {
  const start = Date.parse(since);
  return Number.isNaN(start) ? "" : formatDuration((now - start) / 1000);
}

/** A party as the integration sends it for people (`caller_display`). */
function shown(display, texts) {
  return display || texts.unknown;
}

/** A party in full, for a tooltip: `Name (+7 916 123-45-67)`, or what is shown. */
function inFull(display, number, texts) {
  if (display && number && display !== number) return `${display} (${number})`;
  return display || number || texts.unknown;
}

/** Sets an element's text and its tooltip (the whole text, where an ellipsis cuts it). */
function setText(element, text, title = text) {
  element.textContent = text;
  if (title) element.title = title;
  else element.removeAttribute("title");
}

/** The locale for dates, times and numbers: the profile's language. */
function localeOf(hass) {
  return hass?.locale?.language || hass?.language || navigator.language || "en";
}

/** The profile's time zone option: "server" is Home Assistant's, "local" (the
 * default) the browser's. */
function timeZoneOf(hass) {
  return hass?.locale?.time_zone === "server" ? hass?.config?.time_zone || undefined : undefined;
}

/** Whether times read 12-hour: the profile's time format ("12", "24", after the
 * language, or after the browser's settings). */
function hour12Of(hass) {
  const format = hass?.locale?.time_format;
  if (format === "12") return true;
  if (format === "24") return false;
  const locale = format === "system" ? undefined : localeOf(hass);
  try {
    const cycle = new Intl.DateTimeFormat(locale, { hour: "numeric" }).resolvedOptions().hourCycle;
    return cycle === "h11" || cycle === "h12";
  } catch (_err) {
    return undefined;
  }
}

/** A date-and-time format after the profile (falls back to the browser's zone when
 * Home Assistant's is unknown to the browser). */
function dateTimeFormat(hass, options) {
  const locale = hass?.locale?.date_format === "system" ? undefined : localeOf(hass);
  const full = { ...options, hour12: hour12Of(hass), timeZone: timeZoneOf(hass) };
  try {
    return new Intl.DateTimeFormat(locale, full);
  } catch (_err) {
    return new Intl.DateTimeFormat(locale, { ...full, timeZone: undefined });
  }
}

/** A count after the profile's number format. */
function formatCount(hass, count) {
  const format = hass?.locale?.number_format;
  const locales = {
    comma_decimal: ["en-US", "en"],
    decimal_comma: ["de", "es", "it"],
    space_comma: ["fr", "sv", "cs"],
    quote_decimal: ["de-CH"],
    system: undefined,
  };
  const locale = format in locales ? locales[format] : localeOf(hass);
  try {
    return new Intl.NumberFormat(locale, { useGrouping: format !== "none" }).format(count);
  } catch (_err) {
    return String(count);
  }
}

/** The message of an action's error, in the user's language where the integration
 * translated it. */
async function errorMessage(hass, error) {
  const domain = error?.translation_domain;
  const key = error?.translation_key;
  if (domain && key && hass?.loadBackendTranslation) {
    try {
      const localize = await hass.loadBackendTranslation("exceptions", domain);
      const text = localize(
        `component.${domain}.exceptions.${key}.message`,
        error.translation_placeholders || {},
      );
      if (text) return text;
    } catch (_err) {
      // Fall back to the message Home Assistant sent.
    }
  }
  return error?.message || String(error);
}

const STYLE = `
  :host { display: block; }
  ha-card { padding: 0 0 8px; color: var(--primary-text-color); overflow: hidden; }
  .card-header {
    margin: 0; padding: 16px 16px 8px;
    font-size: var(--ha-card-header-font-size, 24px);
    font-weight: var(--ha-font-weight-normal, 400);
    color: var(--ha-card-header-color, var(--primary-text-color));
  }
  .card-header[hidden], [hidden] { display: none !important; }
  .entry { padding: 0 16px; }
  .entry + .entry { border-top: 1px solid var(--divider-color); margin-top: 8px; }
  .entry-title { margin: 12px 0 0; font-size: 18px; font-weight: 500; }
  .entry-title, .ellipsis {
    min-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis;
  }
  h3 {
    margin: 12px 0 6px; font-size: 14px; font-weight: 500;
    color: var(--secondary-text-color); text-transform: uppercase; letter-spacing: .04em;
  }
  ul { list-style: none; margin: 0; padding: 0; }
  li { padding: 8px 0; border-bottom: 1px solid var(--divider-color); }
  li:last-child { border-bottom: none; }
  /* Rows never wrap: long names end in an ellipsis (the whole text is the element's
     title), the timer, the state and the play button keep their place and width. */
  .row { display: flex; align-items: center; gap: 8px; min-width: 0; }
  .row + .row { margin-top: 2px; }
  .grow { flex: 1 1 0; min-width: 0; }
  .timer, .state, .badge-missed, .row > button, .row > .secondary:not(.ellipsis) {
    flex: none; white-space: nowrap;
  }
  .secondary { color: var(--secondary-text-color); font-size: 0.9em; }
  .icon { --mdc-icon-size: 20px; color: var(--state-icon-color, var(--primary-color)); flex: none; }
  .timer { font-variant-numeric: tabular-nums; font-weight: 500; flex: none; }
  .empty { color: var(--secondary-text-color); padding: 4px 0; margin: 0; }
  .state {
    display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.85em;
    background: var(--secondary-background-color); color: var(--primary-text-color);
  }
  .state.talking, .state.connected { background: var(--success-color, #43a047); color: var(--text-primary-color, #fff); }
  .state.ringing, .state.showing, .state.trying { background: var(--warning-color, #ffa600); color: var(--text-primary-color, #fff); }
  .state.dialing { background: var(--info-color, var(--primary-color)); color: var(--text-primary-color, #fff); }
  .actions { display: flex; gap: 8px; margin-top: 6px; flex-wrap: wrap; }
  button.play { padding: 4px 8px; }
  button {
    font: inherit; font-size: 0.9em; cursor: pointer; border-radius: 18px;
    padding: 4px 12px; border: 1px solid var(--primary-color);
    background: transparent; color: var(--primary-color);
    display: inline-flex; align-items: center; gap: 4px; white-space: nowrap;
  }
  button.primary { background: var(--primary-color); color: var(--text-primary-color, #fff); }
  button.danger { border-color: var(--error-color); color: var(--error-color); }
  button:disabled { opacity: .5; cursor: default; }
  button .icon { --mdc-icon-size: 16px; color: inherit; }
  input, select {
    font: inherit; padding: 6px 8px; border-radius: 6px; min-width: 0;
    border: 1px solid var(--divider-color);
    background: var(--secondary-background-color, var(--card-background-color));
    color: var(--primary-text-color);
  }
  form { display: flex; gap: 8px; flex-wrap: wrap; align-items: flex-end; margin-top: 6px; }
  form > select, form > input { flex: 1 1 140px; }
  label.field {
    display: flex; flex-direction: column; gap: 2px; flex: 1 1 140px;
    font-size: 0.85em; color: var(--secondary-text-color);
  }
  label.field select, label.field input { font-size: 1.15em; width: 100%; box-sizing: border-box; }
  .error {
    display: flex; align-items: flex-start; gap: 8px; margin: 8px 16px 0; padding: 8px 12px;
    border-radius: 6px; border: 1px solid var(--error-color); color: var(--error-color);
    background: color-mix(in srgb, var(--error-color) 10%, transparent);
  }
  .error button { border: none; padding: 0 4px; color: inherit; }
  .missed, .missed .icon { color: var(--error-color); }
  .badge-missed {
    font-size: 0.8em; padding: 0 6px; border-radius: 8px;
    background: var(--error-color); color: var(--text-primary-color, #fff);
  }
  .badge-ghost {
    flex: none; white-space: nowrap; font-size: 0.8em; padding: 0 6px; border-radius: 8px;
    background: var(--secondary-background-color); color: var(--secondary-text-color);
  }
  .journal-call .dialled { flex: none; white-space: nowrap; }
  .journal-call .dialled::before { content: "· "; }
  audio { width: 100%; margin-top: 6px; }
  .peer-row { padding-left: 28px; }
  .icon.small { --mdc-icon-size: 16px; color: var(--secondary-text-color); }
  .row > .when { flex: none; white-space: nowrap; }
  .call-back .count, .call-back .when { flex: none; white-space: nowrap; }
  .call-back .when::before, .call-back .count::before { content: "· "; }
  .call-back .secondary > :first-child::before { content: none; }
  .journal-call .workplace::before, .journal-call .secondary .timer::before { content: "· "; }
`;

/** One active call: who calls whom, where, its state and timer; transfer and end. */
class CallRow {
  constructor(view, call) {
    this.view = view;
    const texts = view.card.texts;
    this.icon = icon(DIRECTION_ICONS.incoming);
    this.direction = h("span", { className: "secondary" });
    this.parties = h("span", { className: "parties grow ellipsis" });
    this.timer = h("span", { className: "timer" });
    this.state = h("span", { className: "state" });
    // The workplace the call is at: the workplaces' icon and its name.
    this.workplaceIcon = h("ha-icon", { icon: "mdi:deskphone", className: "icon small" });
    this.workplace = h("span", { className: "secondary workplace grow ellipsis" });
    this.transferButton = h(
      "button",
      { type: "button", className: "transfer", onclick: () => this.toggleTransfer() },
      icon("mdi:phone-forward"),
      texts.transfer,
    );
    this.endButton = h(
      "button",
      { type: "button", className: "end danger", onclick: () => this.end() },
      icon("mdi:phone-hangup"),
      texts.end,
    );
    this.target = h("select", { className: "target", "aria-label": texts.transferTo });
    this.number = h("input", {
      type: "tel",
      className: "target-number",
      placeholder: texts.orNumber,
      "aria-label": texts.orNumber,
      autocomplete: "off",
    });
    this.transferForm = h(
      "form",
      { className: "transfer-form", hidden: true, onsubmit: (ev) => this.transfer(ev) },
      h("span", { className: "secondary" }, texts.transferTo),
      this.target,
      this.number,
      h("button", { type: "submit", className: "primary confirm-transfer" }, texts.transfer),
      h("button", { type: "button", onclick: () => this.toggleTransfer(false) }, texts.cancel),
    );
    this.element = h(
      "li",
      { className: "call", dataset: { callId: call.call_id } },
      h("div", { className: "row" }, this.icon, this.parties, this.timer),
      h("div", { className: "row" }, this.direction, this.state, this.workplaceIcon, this.workplace),
      h("div", { className: "actions" }, this.transferButton, this.endButton),
      this.transferForm,
    );
    this.update(call);
  }

  update(call) {
    const texts = this.view.card.texts;
    this.call = call;
    this.icon.icon = DIRECTION_ICONS[call.direction] || "mdi:phone";
    this.direction.textContent = texts.direction[call.direction] || texts.direction.null;
    setText(
      this.parties,
      `${shown(call.caller_display, texts)} → ${shown(call.callee_display, texts)}`,
      `${inFull(call.caller_display, call.caller_number, texts)} → ${inFull(
        call.callee_display,
        call.callee_number,
        texts,
      )}`,
    );
    this.timer.dataset.since = call.started;
    this.timer.textContent = elapsed(call.started);
    this.state.className = `state ${call.state}`;
    this.state.textContent = texts.callState[call.state] || call.state;
    setText(this.workplace, call.workplace_name || "", call.workplace_name ? texts.at(call.workplace_name) : "");
    this.workplaceIcon.hidden = !call.workplace_name;
    this.updateTargets();
  }

  /** The workplaces a call can go to: all but the one it is at. */
  updateTargets() {
    const texts = this.view.card.texts;
    const targets = this.view.workplaces.filter((w) => w.sip_id !== this.call.workplace);
    setOptions(this.target, [
      { value: "", label: texts.chooseWorkplace },
      ...targets.map((w) => ({ value: w.sip_id, label: w.name })),
    ]);
  }

  toggleTransfer(open = this.transferForm.hidden) {
    this.transferForm.hidden = !open;
    if (open) this.target.focus();
  }

  async transfer(ev) {
    ev.preventDefault();
    const callee = this.number.value.trim() || this.target.value;
    if (!callee) {
      this.view.card.showError(this.view.card.texts.needWorkplace);
      return;
    }
    const done = await this.view.card.act(
      [this.transferButton, this.transferForm.querySelector(".confirm-transfer")],
      "transfer_call",
      { call_id: this.call.call_id, callee_id: callee, config_entry_id: this.view.entryId },
    );
    if (done) {
      this.number.value = "";
      this.target.value = "";
      this.toggleTransfer(false);
    }
  }

  async end() {
    await this.view.card.act([this.endButton], "terminate_call", {
      call_id: this.call.call_id,
      config_entry_id: this.view.entryId,
    });
  }
}

/** One workplace: its name, what it is doing, with whom and for how long. */
class WorkplaceRow {
  constructor(view, workplace) {
    this.view = view;
    this.name = h("span", { className: "name grow ellipsis" });
    this.state = h("span", { className: "state" });
    this.peer = h("span", { className: "secondary peer grow ellipsis" });
    this.timer = h("span", { className: "timer secondary" });
    this.peerRow = h("div", { className: "row peer-row" }, this.peer, this.timer);
    this.element = h(
      "li",
      { className: "workplace", dataset: { sipId: workplace.sip_id } },
      h("div", { className: "row" }, icon("mdi:deskphone"), this.name, this.state),
      this.peerRow,
    );
    this.update(workplace);
  }

  update(workplace) {
    const texts = this.view.card.texts;
    setText(this.name, workplace.name);
    this.state.className = `state ${workplace.state}`;
    this.state.textContent = texts.workplaceState[workplace.state] || workplace.state;
    const busy = workplace.state !== "idle";
    setText(this.peer, busy && workplace.peer_display ? workplace.peer_display : "");
    this.peerRow.hidden = !busy;
    if (busy && workplace.since) {
      this.timer.dataset.since = workplace.since;
      this.timer.textContent = elapsed(workplace.since);
    } else {
      delete this.timer.dataset.since;
      this.timer.textContent = "";
    }
  }
}

/** Gives a select these options, keeping the choice; an unchanged list is left alone
 * (so that a new picture does not close a list the user has open). */
function setOptions(select, options) {
  const signature = JSON.stringify(options);
  if (select.dataset.options === signature) return;
  select.dataset.options = signature;
  const chosen = select.value;
  select.replaceChildren(...options.map((o) => h("option", { value: o.value }, o.label)));
  if (options.some((o) => o.value === chosen)) select.value = chosen;
}

/** Keeps `list`'s children in the order of `items`, one row per key, reusing rows. */
function reconcile(list, rows, items, key, create) {
  const seen = new Set();
  items.forEach((item, index) => {
    const id = key(item);
    seen.add(id);
    let row = rows.get(id);
    if (row) row.update(item);
    else rows.set(id, (row = create(item)));
    if (list.children[index] !== row.element) list.insertBefore(row.element, list.children[index] || null);
  });
  for (const [id, row] of rows) {
    if (!seen.has(id)) {
      row.element.remove();
      rows.delete(id);
    }
  }
}

/** One PBX (config entry): its calls, workplaces, call form and recent calls. */
class EntryView {
  constructor(card, entry) {
    this.card = card;
    this.entryId = entry.entry_id;
    this.workplaces = [];
    this.callRows = new Map();
    this.workplaceRows = new Map();
    this.journalTimers = [];
    const texts = card.texts;
    const config = card.config;

    this.title = h("h2", { className: "entry-title" });
    this.calls = h("ul", { className: "calls" });
    this.noCalls = h("p", { className: "empty no-calls" }, texts.noCalls);
    this.more = h("p", { className: "empty more" });
    this.workplaceList = h("ul", { className: "workplaces" });
    this.caller = h("select", { className: "caller", "aria-label": texts.from });
    this.callee = h("input", {
      type: "tel",
      className: "callee",
      placeholder: texts.number,
      "aria-label": texts.number,
      autocomplete: "off",
    });
    this.callButton = h("button", { type: "submit", className: "primary place-call" }, icon("mdi:phone"), texts.call);
    this.callBackList = h("ul", { className: "call-backs" });
    this.moreCallBacks = h("p", { className: "empty more-call-backs", hidden: true });
    this.callBackSection = h(
      "section",
      { className: "call-backs-section", hidden: true },
      h("h3", {}, texts.callBacks),
      this.callBackList,
      this.moreCallBacks,
    );
    this.history = h("ul", { className: "history" });
    this.noHistory = h("p", { className: "empty" }, texts.noHistory);
    this.historySection = h(
      "section",
      { className: "history-section", hidden: true },
      h("h3", {}, texts.history),
      this.history,
      this.noHistory,
    );
    this.element = h(
      "div",
      { className: "entry", dataset: { entryId: entry.entry_id } },
      this.title,
      h("section", { className: "calls-section" }, h("h3", {}, texts.active), this.calls, this.noCalls, this.more),
      config.show_workplaces === false
        ? null
        : h("section", { className: "workplaces-section" }, h("h3", {}, texts.workplaces), this.workplaceList),
      config.show_call_form === false
        ? null
        : h(
            "section",
            { className: "call-section" },
            h("h3", {}, texts.makeCall),
            h(
              "form",
              { className: "call-form", onsubmit: (ev) => this.placeCall(ev) },
              h("label", { className: "field" }, texts.from, this.caller),
              h("label", { className: "field" }, texts.number, this.callee),
              this.callButton,
            ),
          ),
      this.callBackSection,
      this.historySection,
    );
  }

  /** A **Call back** button: `make_call` to `number` from the call form's workplace. */
  callBackButton(number, who, { compact = false } = {}) {
    const texts = this.card.texts;
    const button = h(
      "button",
      {
        type: "button",
        className: "call-back-button",
        title: texts.callBackTo(who),
        "aria-label": texts.callBackTo(who),
        onclick: () =>
          this.card.act([button], "make_call", {
            caller_id: this.caller.value,
            callee_id: number,
            config_entry_id: this.entryId,
          }),
      },
      icon("mdi:phone-return"),
      compact ? null : texts.callBack,
    );
    return button;
  }

  renderCallBacks(entry) {
    const texts = this.card.texts;
    const items = entry.call_backs || [];
    const signature = JSON.stringify(items);
    const hidden = (entry.open_call_backs || 0) - items.length;
    this.moreCallBacks.hidden = hidden <= 0;
    this.moreCallBacks.textContent = hidden > 0 ? texts.moreCallBacks(formatCount(this.card.hass, hidden)) : "";
    this.callBackSection.hidden = items.length === 0;
    if (this.callBacksShown === signature) return;
    this.callBacksShown = signature;
    const when = dateTimeFormat(this.card.hass, {
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    });
    this.callBackList.replaceChildren(
      ...items.map((item) => {
        const last = Date.parse(item.last);
        const who = inFull(item.display, item.number_display, texts);
        return h(
          "li",
          { className: "call-back", dataset: { uid: item.uid } },
          h(
            "div",
            { className: "row" },
            icon("mdi:phone-missed"),
            h("span", { className: "name grow ellipsis", title: who }, item.display),
            this.callBackButton(item.number, who),
          ),
          h(
            "div",
            { className: "row secondary" },
            item.display !== item.number_display
              ? h("span", { className: "number ellipsis", title: item.number_display }, item.number_display)
              : null,
            h("span", { className: "count" }, texts.times(item.count)),
            h("span", { className: "when" }, Number.isNaN(last) ? "" : when.format(new Date(last))),
          ),
        );
      }),
    );
  }

  update(entry, several) {
    const texts = this.card.texts;
    setText(this.title, entry.title);
    this.title.hidden = !several;
    this.workplaces = entry.workplaces;
    const before = new Set(this.callRows.keys());
    reconcile(this.calls, this.callRows, entry.calls, (c) => c.call_id, (c) => new CallRow(this, c));
    this.noCalls.hidden = entry.calls.length > 0;
    const hidden = (entry.active_calls || 0) - entry.calls.length;
    this.more.hidden = hidden <= 0;
    this.more.textContent = hidden > 0 ? texts.more(formatCount(this.card.hass, hidden)) : "";
    reconcile(
      this.workplaceList,
      this.workplaceRows,
      entry.workplaces,
      (w) => w.sip_id,
      (w) => new WorkplaceRow(this, w),
    );
    setOptions(
      this.caller,
      entry.workplaces.map((w) => ({ value: w.sip_id, label: w.name })),
    );
    // The form starts with the signed-in user's own workplace (when it is mapped,
    // or mapped anew); a workplace the user chose afterwards is kept.
    if (entry.my_workplace && entry.my_workplace !== this.myWorkplace) this.caller.value = entry.my_workplace;
    this.myWorkplace = entry.my_workplace;
    this.renderCallBacks(entry);
    if ([...before].some((id) => !this.callRows.has(id))) this.scheduleJournal();
    // A workplace renamed in the portal: the recent calls name it anew.
    const names = JSON.stringify(entry.workplaces.map((w) => [w.sip_id, w.name]));
    if (this.workplaceNames !== undefined && this.workplaceNames !== names) this.loadJournal();
    this.workplaceNames = names;
  }

  async placeCall(ev) {
    ev.preventDefault();
    const number = this.callee.value.trim();
    if (!number) {
      this.card.showError(this.card.texts.needNumber);
      return;
    }
    const done = await this.card.act([this.callButton], "make_call", {
      caller_id: this.caller.value,
      callee_id: number,
      config_entry_id: this.entryId,
    });
    if (done) this.callee.value = "";
  }

  scheduleJournal() {
    if (withoutJournal.has(this.card.hass?.connection)) return;
    for (const delay of JOURNAL_REFRESH) {
      this.journalTimers.push(setTimeout(() => this.loadJournal(), delay));
    }
  }

  /** The recent calls, if Home Assistant has the integration's journal. */
  async loadJournal() {
    const hass = this.card.hass;
    if (!hass || withoutJournal.has(hass.connection)) return;
    let answer;
    try {
      answer = await hass.callWS({
        type: `${DOMAIN}/journal/list`,
        entry_id: this.entryId,
        limit: JOURNAL_LIMIT,
      });
    } catch (error) {
      if (error?.code === "unknown_command") withoutJournal.add(hass.connection);
      this.historySection.hidden = true;
      return;
    }
    this.renderJournal(answer?.calls || []);
  }

  renderJournal(calls) {
    const texts = this.card.texts;
    const hass = this.card.hass;
    const when = dateTimeFormat(hass, {
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    });
    this.history.replaceChildren(
      ...calls.map((call) => {
        const audio = h("div", { className: "player" });
        const started = Date.parse(call.started);
        const play = call.record_url
          ? h(
              "button",
              {
                type: "button",
                className: "play",
                title: texts.play,
                "aria-label": texts.play,
                onclick: () => {
                  if (audio.firstChild) {
                    audio.replaceChildren();
                    return;
                  }
                  audio.replaceChildren(
                    h("audio", { controls: true, autoplay: true, src: call.record_url }),
                  );
                },
              },
              icon("mdi:play"),
            )
          : null;
        // The outside party (a number, not a workplace): a Call back button.
        const outgoing = call.direction === "outgoing";
        const outside = outgoing ? call.callee_number : call.caller_number;
        const outsideNumber = outgoing ? call.callee : call.caller;
        const callBack = outside
          ? this.callBackButton(
              outsideNumber,
              inFull(outgoing ? call.callee_display : call.caller_display, outside, texts),
              // A narrow row keeps room for the parties: the icon, named in its tooltip.
              { compact: true },
            )
          : null;
        return h(
          "li",
          {
            className: call.missed ? "journal-call missed" : "journal-call",
            dataset: { callId: call.call_id },
          },
          h(
            "div",
            { className: "row" },
            icon(call.missed ? "mdi:phone-missed" : DIRECTION_ICONS[call.direction] || "mdi:phone"),
            h(
              "span",
              {
                className: "parties grow ellipsis",
                title: `${inFull(call.caller_display, call.caller_number, texts)} → ${inFull(
                  call.callee_display,
                  call.callee_number,
                  texts,
                )}`,
              },
              `${shown(call.caller_display, texts)} → ${shown(call.callee_display, texts)}`,
            ),
            call.missed ? h("span", { className: "badge-missed" }, texts.missed) : null,
            call.ghost ? h("span", { className: "badge-ghost" }, texts.ghost) : null,
            play,
            callBack,
          ),
          h(
            "div",
            { className: "row secondary" },
            h("span", { className: "when" }, Number.isNaN(started) ? "" : when.format(new Date(started))),
            call.workplace_display
              ? h(
                  "span",
                  { className: "workplace ellipsis", title: call.workplace_display },
                  call.workplace_display,
                )
              : null,
            call.external_number_display && call.external_number_display !== call.callee_display
              ? h("span", { className: "dialled" }, texts.dialled(call.external_number_display))
              : null,
            call.duration ? h("span", { className: "timer" }, formatDuration(call.duration)) : null,
          ),
          audio,
        );
      }),
    );
    this.noHistory.hidden = calls.length > 0;
    this.historySection.hidden = false;
  }

  destroy() {
    for (const timer of this.journalTimers) clearTimeout(timer);
    this.journalTimers = [];
    this.element.remove();
  }
}

class MttBusinessCard extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.config = {};
    this.entries = new Map();
  }

  static getConfigElement() {
    return document.createElement(EDITOR);
  }

  static getStubConfig() {
    return { show_workplaces: true, show_call_form: true };
  }

  setConfig(config) {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    const before = this.config;
    const resubscribe = before.entry_id !== config.entry_id;
    this.config = { ...config };
    const structural = ["entry_id", "show_workplaces", "show_call_form"].some(
      (key) => before[key] !== config[key],
    );
    if (!this.root || structural) this.build();
    else this.showTitle();
    if (resubscribe) {
      this.unsubscribe();
      this.subscribe();
    }
  }

  set hass(hass) {
    this._hass = hass;
    if (!this.root || languageOf(hass) !== this.language) this.build();
    this.subscribe();
  }

  get hass() {
    return this._hass;
  }

  get texts() {
    return TEXTS[this.language || (this._hass ? languageOf(this._hass) : browserLanguage())];
  }

  getCardSize() {
    return 4;
  }

  getGridOptions() {
    return { columns: 12, min_columns: 6 };
  }

  connectedCallback() {
    this.connected = true;
    this.subscribe();
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  disconnectedCallback() {
    this.connected = false;
    this.unsubscribe();
    clearInterval(this.ticker);
  }

  /** The card's frame; the entries are filled in from the last picture. */
  build() {
    this.language = this._hass ? languageOf(this._hass) : browserLanguage();
    const texts = this.texts;
    for (const view of this.entries.values()) view.destroy();
    this.entries = new Map();
    this.header = h("h1", { className: "card-header" });
    this.showTitle();
    this.errorText = h("span", { className: "grow" });
    this.error = h(
      "div",
      { className: "error", role: "alert", hidden: true },
      this.errorText,
      h("button", { type: "button", title: texts.close, "aria-label": texts.close, onclick: () => this.showError(null) }, "✕"),
    );
    this.body = h("div", { className: "entries" });
    this.noEntries = h("p", { className: "empty entry", hidden: true }, texts.noEntries);
    this.root = h("ha-card", {}, this.header, this.error, this.noEntries, this.body);
    this.shadowRoot.replaceChildren(h("style", {}, STYLE), this.root);
    if (this.picture) this.render(this.picture);
  }

  showTitle() {
    const title = this.config.title === undefined ? this.texts.title : this.config.title;
    this.header.textContent = title || "";
    this.header.hidden = !title;
  }

  subscribe() {
    if (!this._hass || !this.connected || this.subscription) return;
    const message = { type: `${DOMAIN}/calls/subscribe` };
    if (this.config.entry_id) message.entry_id = this.config.entry_id;
    const subscription = this._hass.connection.subscribeMessage((picture) => {
      if (this.subscription === subscription) this.render(picture);
    }, message);
    this.subscription = subscription;
    subscription.catch(async (error) => {
      if (this.subscription === subscription) {
        this.subscription = undefined;
        this.showError(await errorMessage(this._hass, error));
      }
    });
  }

  unsubscribe() {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.picture = undefined;
    subscription?.then(
      (unsubscribe) => unsubscribe().catch(() => {}),
      () => {},
    );
  }

  render(picture) {
    if (!this.root) this.build();
    this.picture = picture;
    const entries = picture.entries || [];
    const several = entries.length > 1;
    const seen = new Set();
    entries.forEach((entry, index) => {
      seen.add(entry.entry_id);
      let view = this.entries.get(entry.entry_id);
      if (view) view.update(entry, several);
      else {
        view = new EntryView(this, entry);
        view.update(entry, several);
        this.entries.set(entry.entry_id, view);
        view.loadJournal();
      }
      if (this.body.children[index] !== view.element) {
        this.body.insertBefore(view.element, this.body.children[index] || null);
      }
    });
    for (const [id, view] of this.entries) {
      if (!seen.has(id)) {
        view.destroy();
        this.entries.delete(id);
      }
    }
    this.noEntries.hidden = entries.length > 0;
  }

  /** Running timers: every second, from the start each call or workplace has. */
  tick() {
    const now = Date.now();
    for (const timer of this.shadowRoot.querySelectorAll(".timer[data-since]")) {
      timer.textContent = elapsed(timer.dataset.since, now);
    }
  }

  showError(message) {
    if (!this.error) return;
    this.error.hidden = !message;
    this.errorText.textContent = message || "";
  }

  /** Run an action with `buttons` disabled meanwhile; an error is shown in the card.
   * Returns whether it succeeded. */
  async act(buttons, service, data) {
    for (const button of buttons) button.disabled = true;
    try {
      await this._hass.callService(DOMAIN, service, data, undefined, false);
      this.showError(null);
      return true;
    } catch (error) {
      this.showError(await errorMessage(this._hass, error));
      return false;
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  }
}

/** The card's visual editor: the PBX (when there are several), the title, and
 * whether the workplaces and the call form are shown. */
class MttBusinessCardEditor extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.config = {};
    this.configEntries = [];
  }

  set hass(hass) {
    const first = !this._hass;
    this._hass = hass;
    if (first) this.loadEntries();
    if (!this.form || languageOf(hass) !== this.language) this.build();
  }

  setConfig(config) {
    this.config = { ...config };
    if (!this.form) this.build();
    else this.fill();
  }

  async loadEntries() {
    try {
      this.configEntries = await this._hass.callWS({ type: "config_entries/get", domain: DOMAIN });
    } catch (_err) {
      this.configEntries = [];
    }
    this.build();
  }

  build() {
    this.language = this._hass ? languageOf(this._hass) : browserLanguage();
    const texts = TEXTS[this.language].editor;
    this.entry = h(
      "select",
      { className: "entry", onchange: () => this.changed("entry_id", this.entry.value || undefined) },
      h("option", { value: "" }, texts.allEntries),
      ...this.configEntries.map((e) => h("option", { value: e.entry_id }, e.title)),
    );
    this.titleInput = h("input", {
      type: "text",
      className: "title",
      oninput: () => this.changed("title", this.titleInput.value),
    });
    this.workplaces = h("input", {
      type: "checkbox",
      className: "show-workplaces",
      onchange: () => this.changed("show_workplaces", this.workplaces.checked),
    });
    this.callForm = h("input", {
      type: "checkbox",
      className: "show-call-form",
      onchange: () => this.changed("show_call_form", this.callForm.checked),
    });
    const several = this.configEntries.length > 1 || Boolean(this.config.entry_id);
    this.form = h(
      "div",
      { className: "editor" },
      several ? h("label", { className: "field" }, texts.entry, this.entry) : null,
      h("label", { className: "field" }, texts.title, this.titleInput),
      h("label", { className: "check" }, this.workplaces, texts.showWorkplaces),
      h("label", { className: "check" }, this.callForm, texts.showCallForm),
    );
    this.shadowRoot.replaceChildren(
      h(
        "style",
        {},
        `
        .editor { display: flex; flex-direction: column; gap: 12px; color: var(--primary-text-color); }
        .field { display: flex; flex-direction: column; gap: 4px; color: var(--secondary-text-color); }
        .check { display: flex; align-items: center; gap: 8px; }
        input[type=text], select {
          font: inherit; padding: 8px; border-radius: 6px; border: 1px solid var(--divider-color);
          background: var(--secondary-background-color, var(--card-background-color));
          color: var(--primary-text-color);
        }
        input[type=checkbox] { width: 18px; height: 18px; accent-color: var(--primary-color); }
      `,
      ),
      this.form,
    );
    this.fill();
  }

  fill() {
    const config = this.config;
    const title = config.title ?? "";
    if (this.titleInput.value !== title) this.titleInput.value = title;
    this.entry.value = config.entry_id || "";
    this.workplaces.checked = config.show_workplaces !== false;
    this.callForm.checked = config.show_call_form !== false;
  }

  changed(key, value) {
    const config = { ...this.config };
    if (value === undefined) delete config[key];
    else config[key] = value;
    this.config = config;
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }));
  }
}

/** Define the elements and list the card in the card picker.
 *
 * Home Assistant loads this module alongside its app, and the app, as it starts,
 * replaces `window.customElements` with a scoped-registry polyfill that knows only
 * what is defined through it: an element defined before would not be found (the
 * card picker would wait for it forever). So the definitions wait until the app has
 * defined its own `home-assistant` element, through whichever registry is current.
 */
function register() {
  if (!customElements.get(CARD)) customElements.define(CARD, MttBusinessCard);
  if (!customElements.get(EDITOR)) customElements.define(EDITOR, MttBusinessCardEditor);
  window.customCards = window.customCards || [];
  if (!window.customCards.some((card) => card.type === CARD)) {
    const texts = TEXTS[browserLanguage()];
    window.customCards.push({
      type: CARD,
      name: texts.name,
      description: texts.description,
      preview: true,
      documentationURL: "https://github.com/mtt-business-ha/mtt-business-home-assistant#a-dashboard",
    });
  }
}

customElements.whenDefined("home-assistant").then(register);
