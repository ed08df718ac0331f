// The mockserver dashboard: hash-routed views over documented /_mock calls, kept live by
// GET /_mock/stream. Hand-written, no dependencies; every text from the world goes in through
// textContent (never innerHTML), so a message or a contact name cannot inject markup.
"use strict";

const TOKEN_KEY = "mockserver.control-token";
const PAGE = 50;
const JOURNAL_LIMIT = 100;
const NOTE_ITEMS = 50; // a broadcast's entry notes every delivery: show the first few
const STATUSES = ["PENDING", "SENT", "DELIVERED", "FAILED", "CLICKED", "CANCELLED"];

const app = {
  token: sessionStorage.getItem(TOKEN_KEY) || "",
  events: 0,
  view: null,       // {kinds, refresh} of the mounted view
  pending: null,    // a refresh scheduled by the stream
  refreshing: false,
  again: false,
  tokenWaiters: [],
};

// -- calls -------------------------------------------------------------------------------------

class CallError extends Error {
  constructor(status, data) {
    const detail = data && typeof data === "object" ? [data.error, data.detail].filter(Boolean).map(String).join(": ") : String(data || "");
    super(`${status}${detail ? " " + detail : ""}`);
    this.status = status;
    this.data = data;
  }
}

function authHeaders() {
  return app.token ? { Authorization: `Bearer ${app.token}` } : {};
}

async function call(method, path, body, type) {
  const headers = authHeaders();
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = type || "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    askForToken();
  }
  const kind = response.headers.get("content-type") || "";
  const data = kind.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    throw new CallError(response.status, data);
  }
  return data;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

// -- the control token ---------------------------------------------------------------------------

function askForToken() {
  const dialog = document.getElementById("token-dialog");
  if (!dialog.open) dialog.showModal();
}

function tokenGiven() {
  return new Promise((resolve) => app.tokenWaiters.push(resolve));
}

function setUpTokenDialog() {
  const form = document.getElementById("token-form");
  form.addEventListener("submit", () => {
    app.token = document.getElementById("token-input").value.trim();
    sessionStorage.setItem(TOKEN_KEY, app.token);
    for (const resolve of app.tokenWaiters.splice(0)) resolve();
    route();
  });
}

// -- building the page ----------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function link(href, text) {
  return h("a", { href }, text);
}

function table(caption, headings, rows, empty) {
  if (!rows.length) return h("p", { class: "empty" }, empty || "Nothing yet.");
  return h("table", {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headings.map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))));
}

function definitions(pairs) {
  return h("dl", {}, pairs.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value ?? "—")]));
}

function json(value) {
  if (value === null || value === undefined || value === "") return h("p", { class: "empty" }, "(no body)");
  return h("pre", { class: "json" }, typeof value === "string" ? value : JSON.stringify(value, null, 2));
}

function when(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

function field(label, input) {
  const id = `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${Math.random().toString(36).slice(2, 7)}`;
  input.id = id;
  return h("p", { class: "field" }, h("label", { for: id }, label), input);
}

function showProblem(error) {
  const box = document.getElementById("problem");
  box.replaceChildren(h("p", {}, `The call failed: ${error.message}`), h("button", { type: "button", onclick: () => { box.hidden = true; } }, "Dismiss"));
  box.hidden = false;
}

function clearProblem() {
  document.getElementById("problem").hidden = true;
}

// An action form: runs `act`, shows its outcome in `out`, refreshes the view.
function action(label, doc, act, inputs, options) {
  const out = h("output", { class: "outcome" });
  const form = h("form", { class: "action", "aria-label": label }, inputs || [],
    h("button", { type: "submit", class: options && options.danger ? "danger" : null }, label),
    h("code", { class: "call" }, doc), out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.textContent = "…";
    try {
      const result = await act(new FormData(form));
      out.textContent = "Done";
      clearProblem();
      if (options && options.reset) form.reset();
      if (options && options.after) options.after(result);
      refreshSoon(0);
    } catch (error) {
      out.textContent = "";
      showProblem(error);
    }
  });
  return form;
}

function pager(total, offset, limit, go) {
  const last = Math.min(offset + limit, total);
  return h("nav", { class: "pager", "aria-label": "Pages" },
    h("p", {}, total ? `Showing ${offset + 1}–${last} of ${total}` : "No matches"),
    h("button", { type: "button", disabled: offset <= 0, onclick: () => go(Math.max(0, offset - limit)) }, "Previous"),
    h("button", { type: "button", disabled: last >= total, onclick: () => go(offset + limit) }, "Next"));
}

// -- routes ------------------------------------------------------------------------------------------

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, search] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || "overview", arg: parts[1], params: new URLSearchParams(search || "") };
}

function go(name, arg, params) {
  const path = arg === undefined ? name : `${name}/${encodeURIComponent(arg)}`;
  location.hash = `#/${path}${query(params || {})}`;
}

const VIEWS = {};

async function route() {
  const { name, arg, params } = parseHash();
  const view = VIEWS[name] || VIEWS.overview;
  for (const item of document.querySelectorAll("nav a[data-view]")) {
    if (item.dataset.view === name) item.setAttribute("aria-current", "page");
    else item.removeAttribute("aria-current");
  }
  const main = document.getElementById("view");
  main.replaceChildren();
  clearProblem();
  const region = h("div", { class: "region", "aria-live": "polite", "aria-busy": "true" });
  const mounted = view(main, region, arg, params);
  main.append(region);
  app.view = { kinds: mounted.kinds, refresh: mounted.refresh, region };
  document.title = `${main.querySelector("h1")?.textContent || "mockserver"} · mockserver`;
  await refresh();
}

async function refresh() {
  const view = app.view;
  if (!view) return;
  try {
    const content = await view.refresh();
    if (app.view !== view) return;
    view.region.replaceChildren(...[content].flat().filter(Boolean));
    view.region.setAttribute("aria-busy", "false");
    view.region.dataset.loaded = String(Number(view.region.dataset.loaded || 0) + 1);
    // bench/ui_load.py reads this: the first moment the page showed the world.
    if (!performance.getEntriesByName("mockserver:first-view").length) performance.mark("mockserver:first-view");
  } catch (error) {
    if (app.view !== view) return;
    view.region.setAttribute("aria-busy", "false");
    view.region.replaceChildren(h("p", { class: "error" }, `Could not load: ${error.message}`));
  }
}

// At most one refresh per THROTTLE ms however busy the world is (a load test sends events by the
// thousand), and never two at once: a change seen meanwhile schedules one more after it.
const THROTTLE = 250;

function refreshSoon(delay) {
  if (delay === 0) clearTimeout(app.pending);
  else if (app.pending) return;
  app.pending = setTimeout(async () => {
    if (app.refreshing) {
      app.pending = null;
      app.again = true;
      return;
    }
    app.refreshing = true;
    try {
      await refresh();
    } finally {
      app.refreshing = false;
      app.pending = null;
      if (app.again) {
        app.again = false;
        refreshSoon();
      }
    }
  }, delay === undefined ? THROTTLE : delay);
}

// -- the change stream -----------------------------------------------------------------------------------

function setLive(state, text) {
  const live = document.getElementById("live");
  live.dataset.state = state;
  live.textContent = text;
}

function dispatch(block) {
  let kind = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) kind = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
  }
  if (!data) return;
  const payload = JSON.parse(data);
  if (kind === "ready" || kind === "reset") {
    document.getElementById("scenario").textContent = payload.scenario || "";
  }
  if (kind === "ready") return;
  app.events += 1;
  const live = document.getElementById("live");
  live.dataset.events = String(app.events);
  live.dataset.last = kind;
  setLive("live", `Live · ${app.events} change${app.events === 1 ? "" : "s"} · last: ${kind}${payload.path ? " " + payload.path : ""}`);
  const kinds = app.view ? app.view.kinds : [];
  if (kind === "overflow" || kind === "reset" || kinds.includes(kind)) refreshSoon();
}

async function listen() {
  for (;;) {
    try {
      const response = await fetch("/_mock/stream", { headers: authHeaders(), cache: "no-store" });
      if (response.status === 401) {
        setLive("locked", "Locked: needs the control token");
        askForToken();
        await tokenGiven();
        continue;
      }
      if (!response.ok) throw new Error(`stream answered ${response.status}`);
      setLive("live", app.events ? `Live · ${app.events} changes` : "Live");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (error) {
      // The server stopped or restarts: say so and try again.
    }
    setLive("reconnecting", "Reconnecting…");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// -- overview ---------------------------------------------------------------------------------------------

VIEWS.overview = (main) => {
  main.append(h("h1", {}, "Overview"));
  return {
    kinds: ["request", "contact", "chat", "delivery", "clock", "fault"],
    refresh: async () => {
      const data = await call("GET", "/_mock/overview");
      document.getElementById("scenario").textContent = data.scenario || "";
      const statuses = Object.entries(data.deliveries.by_status);
      return h("div", { class: "cards" },
        h("section", { class: "card", "aria-labelledby": "ov-scenario" },
          h("h2", { id: "ov-scenario" }, "Scenario"),
          definitions([["Name", data.scenario || "(unnamed)"], ["Telegram chats", data.telegram.chats],
            ["Journal entries", data.journal.entries], ["Outbox", data.outbox]])),
        h("section", { class: "card", "aria-labelledby": "ov-clock" },
          h("h2", { id: "ov-clock" }, "Clock"),
          definitions([["Now", when(data.clock.now)], ["Frozen", data.clock.frozen ? "yes" : "no"]])),
        h("section", { class: "card wide", "aria-labelledby": "ov-bots" },
          h("h2", { id: "ov-bots" }, "Bots"),
          table("Bots and their subscribers", ["Bot", "app_uuid", "Subscribers", "Muted tokens"],
            data.bots.map((bot) => [`@${bot.username}`, h("code", {}, bot.app_uuid), String(bot.subscribers), String(bot.muted_tokens)]), "No bots in this scenario.")),
        h("section", { class: "card", "aria-labelledby": "ov-contacts" },
          h("h2", { id: "ov-contacts" }, "Contacts"),
          definitions([["Live", data.contacts.live], ["Deleted", data.contacts.deleted]]),
          link("#/contacts", "Browse contacts")),
        h("section", { class: "card", "aria-labelledby": "ov-deliveries" },
          h("h2", { id: "ov-deliveries" }, "Deliveries"),
          statuses.length ? definitions(statuses) : h("p", { class: "empty" }, "None sent yet."),
          link("#/deliveries", "By campaign")),
        h("section", { class: "card", "aria-labelledby": "ov-faults" },
          h("h2", { id: "ov-faults" }, "Faults active"),
          data.faults.length
            ? h("ul", {}, data.faults.map((fault) => h("li", {}, h("code", {}, `${fault.id}: ${JSON.stringify(fault.match || {})} → ${JSON.stringify(fault.action)}`))))
            : h("p", { class: "empty" }, "No fault rules."),
          link("#/control", "Manage")));
    },
  };
};

// -- contacts ------------------------------------------------------------------------------------------------

VIEWS.contacts = (main, region, arg, params) => {
  if (arg !== undefined) return contactCard(main, arg);
  const text = params.get("query") || "";
  const offset = Number(params.get("offset") || 0);
  const input = h("input", { type: "search", name: "query", value: text, placeholder: "id, email, phone, externalCustomerId or token" });
  const form = h("form", { role: "search", class: "search" }, field("Search contacts", input), h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => { event.preventDefault(); go("contacts", undefined, { query: input.value.trim() }); });
  main.append(h("h1", {}, "Contacts"), form, h("p", { class: "call" }, h("code", {}, "GET /_mock/contacts?query=&offset=&limit=")));
  return {
    kinds: ["contact"],
    refresh: async () => {
      const data = await call("GET", `/_mock/contacts${query({ query: text, offset, limit: PAGE })}`);
      const name = (c) => [c.firstName, c.lastName].filter(Boolean).join(" ");
      return [
        table("Contacts", ["Id", "Name", "Email", "Phone", "externalCustomerId", "Tokens", "State"],
          data.items.map((c) => [link(`#/contacts/${c.id}`, String(c.id)), name(c), c.email, c.phone, c.externalCustomerId,
            String(c.tokens), c.deleted ? "deleted" : "live"]), text ? `No contact matches “${text}”.` : "No contacts."),
        pager(data.total, offset, PAGE, (next) => go("contacts", undefined, { query: text, offset: next })),
      ];
    },
  };
};

function contactCard(main, id) {
  main.append(h("p", {}, link("#/contacts", "← All contacts")), h("h1", {}, `Contact ${id}`));
  return {
    kinds: ["contact", "delivery"],
    refresh: async () => {
      const c = await call("GET", `/_mock/contacts/${encodeURIComponent(id)}`);
      return [
        h("section", { "aria-labelledby": "card-fields" }, h("h2", { id: "card-fields" }, "Fields"),
          definitions([["Name", [c.firstName, c.lastName].filter(Boolean).join(" ")], ["State", c.deleted ? "deleted" : "live"],
            ["externalCustomerId", c.externalCustomerId], ["contactKey", c.contactKey], ["Language", c.languageCode],
            ["Time zone", c.timeZone], ["Groups", c.groups.map((g) => (typeof g === "object" ? g.name || JSON.stringify(g) : g)).join(", ")]])),
        h("section", { "aria-labelledby": "card-channels" }, h("h2", { id: "card-channels" }, "Channels"),
          table("Channels", ["Type", "Value"], c.channels.map((ch) => [ch.type, ch.value]), "No channels besides Telegram.")),
        h("section", { "aria-labelledby": "card-tokens" }, h("h2", { id: "card-tokens" }, "Telegram tokens"),
          table("Tokens per bot", ["Bot", "Token (chat id)", "Muted until"],
            c.tokens.map((t) => [t.bot ? `@${t.bot}` : t.app_uuid, link(`#/telegram/${encodeURIComponent(t.token)}`, t.token), t.muted_until || "not muted"]), "No tokens.")),
        h("section", { "aria-labelledby": "card-history" }, h("h2", { id: "card-history" }, "History"),
          table("What happened to this contact", ["When", "What", "Token", "Reason", "Request"],
            c.history.map((item) => [item.at, item.what, item.token, item.reason,
              item.request ? link(`#/journal${query({ id: item.request })}`, `#${item.request} ${item.method} ${item.path}`) : item.requestId]),
            "Nothing in the journal or the deliveries about this contact (it may come from the scenario).")),
      ];
    },
  };
}

// -- Telegram --------------------------------------------------------------------------------------------------

VIEWS.telegram = (main, region, arg, params) => {
  if (arg !== undefined) return conversation(main, arg, params);
  const text = params.get("query") || "";
  const offset = Number(params.get("offset") || 0);
  const input = h("input", { type: "search", name: "query", value: text, placeholder: "chat id, name or username" });
  const form = h("form", { role: "search", class: "search" }, field("Search chats", input), h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => { event.preventDefault(); go("telegram", undefined, { query: input.value.trim() }); });
  const create = action("Create user", "POST /_mock/telegram/users",
    (data) => call("POST", "/_mock/telegram/users", { id: Number(data.get("id")), first_name: data.get("first_name") }),
    [field("User id", h("input", { name: "id", inputmode: "numeric", required: true, pattern: "[0-9]+" })),
      field("First name", h("input", { name: "first_name", required: true }))], { reset: true });
  main.append(h("h1", {}, "Telegram"), form, h("details", { class: "panel" }, h("summary", {}, "New simulated user"), create));
  return {
    kinds: ["chat", "delivery"],
    refresh: async () => {
      const data = await call("GET", `/_mock/telegram/chats${query({ query: text, offset, limit: PAGE })}`);
      return [
        table("Users and chats", ["Chat", "Name", "State", "Messages", "Last message"],
          data.items.map((c) => [link(`#/telegram/${encodeURIComponent(c.chat_id)}`, c.chat_id),
            [c.name, c.username ? `@${c.username}` : null].filter(Boolean).join(" "), h("span", { class: `state state-${c.state}` }, c.state),
            String(c.messages), c.last ? `${c.last.from_bot ? "bot: " : "user: "}${c.last.text}` : "—"]), "No chats yet."),
        pager(data.total, offset, PAGE, (next) => go("telegram", undefined, { query: text, offset: next })),
      ];
    },
  };
};

function buttonsOf(markup) {
  if (!markup) return [];
  return markup.inline_keyboard || markup.keyboard || [];
}

function renderMessage(chatId, message, acting) {
  const from = message.from || {};
  const bot = from.is_bot && from.username ? from.username : acting;
  const who = from.is_bot ? `@${from.username || "bot"}` : from.first_name || "user";
  const body = [];
  const text = message.text ?? message.caption;
  if (text !== undefined) body.push(h("p", { class: "text" }, text));
  for (const kind of ["photo", "document", "video", "audio", "voice", "sticker", "animation", "location", "contact", "poll", "venue"]) {
    if (message[kind] !== undefined && kind !== "text") {
      body.push(h("p", { class: "attachment" }, `${kind}: `, h("code", {}, typeof message[kind] === "string" ? message[kind] : JSON.stringify(message[kind]))));
    }
  }
  const markup = message.reply_markup;
  if (markup && markup.inline_keyboard) {
    body.push(h("div", { class: "keyboard", role: "group", "aria-label": `Buttons of message ${message.message_id}` },
      markup.inline_keyboard.map((row) => h("div", { class: "row" }, row.map((button) => {
        if (button.callback_data !== undefined) {
          return h("button", { type: "button", title: `POST /_mock/telegram/users/${chatId}/press`,
            onclick: () => act(() => call("POST", `/_mock/telegram/users/${encodeURIComponent(chatId)}/press`,
              withBot({ message_id: message.message_id, callback_data: button.callback_data }, bot))) }, button.text);
        }
        return h("span", { class: "url-button" }, button.text, button.url ? ` (${button.url})` : "");
      })))));
  }
  if (markup && markup.keyboard) {
    body.push(h("div", { class: "keyboard reply", role: "group", "aria-label": `Reply keyboard of message ${message.message_id}` },
      markup.keyboard.map((row) => h("div", { class: "row" }, row.map((button) => {
        const label = typeof button === "string" ? button : button.text;
        if (button.request_contact) {
          return h("button", { type: "button", title: `POST /_mock/telegram/users/${chatId}/share_contact`,
            onclick: () => act(() => call("POST", `/_mock/telegram/users/${encodeURIComponent(chatId)}/share_contact`, withBot({}, bot))) }, label);
        }
        return h("button", { type: "button", title: `POST /_mock/telegram/users/${chatId}/send`,
          onclick: () => act(() => call("POST", `/_mock/telegram/users/${encodeURIComponent(chatId)}/send`, withBot({ text: label }, bot))) }, label);
      })))));
  }
  const notes = [];
  if (message.edit_date) notes.push(`edited ${when(message.edit_date)}`);
  if (message.requestId) notes.push(`eSputnik delivery ${message.requestId}`);
  if (message.deleted) notes.push("deleted");
  return h("li", { class: `message ${from.is_bot ? "from-bot" : "from-user"}`, "data-message-id": message.message_id },
    h("article", { "aria-label": `Message ${message.message_id} from ${who}` },
      h("header", {}, h("strong", {}, who), " ", h("time", {}, when(message.date)), notes.length ? h("span", { class: "note" }, ` · ${notes.join(" · ")}`) : null),
      body,
      h("details", {}, h("summary", {}, "All fields"), json(message))));
}

function withBot(body, bot) {
  return bot ? { ...body, bot } : body;
}

async function act(run) {
  try {
    await run();
    clearProblem();
    refreshSoon(0);
  } catch (error) {
    showProblem(error);
  }
}

function conversation(main, chatId, params) {
  const base = `/_mock/telegram/users/${encodeURIComponent(chatId)}`;
  const botInput = h("select", { name: "bot" });
  // The user acts towards one bot: the one named in the URL, else the first (an action needs one when there are several).
  const bots = call("GET", "/_mock/overview").then((data) => {
    const wanted = params.get("bot") || (data.bots[0] && data.bots[0].username) || "";
    for (const b of data.bots) botInput.append(h("option", { value: b.username, selected: b.username === wanted }, `@${b.username}`));
  }).catch(showProblem);
  botInput.addEventListener("change", () => go("telegram", chatId, { bot: botInput.value }));
  const send = (name, build) => (data) => call("POST", `${base}/${name}`, withBot(build(data), botInput.value));
  main.append(
    h("p", {}, link("#/telegram", "← All chats")),
    h("h1", {}, `Chat ${chatId}`),
    h("form", { class: "search", "aria-label": "Acting bot" }, field("Acting as user towards", botInput)),
    h("section", { class: "actions", "aria-labelledby": "chat-actions" }, h("h2", { id: "chat-actions" }, "The user acts"),
      action("Start", `POST ${base}/start`, send("start", (d) => (d.get("payload") ? { payload: d.get("payload") } : {})),
        [field("Payload", h("input", { name: "payload", pattern: "[A-Za-z0-9_\\-]{1,64}", placeholder: "optional deep-link payload" }))], { reset: true }),
      action("Send", `POST ${base}/send`, send("send", (d) => ({ text: d.get("text") })),
        [field("Message", h("input", { name: "text", required: true }))], { reset: true }),
      action("Share contact", `POST ${base}/share_contact`, send("share_contact", (d) => (d.get("phone_number") ? { phone_number: d.get("phone_number") } : {})),
        [field("Phone number", h("input", { name: "phone_number", placeholder: "optional" }))], { reset: true }),
      action("Block", `POST ${base}/block`, send("block", () => ({})), [], { danger: true }),
      action("Unblock", `POST ${base}/unblock`, send("unblock", () => ({})))));
  return {
    kinds: ["chat", "delivery"],
    refresh: async () => {
      await bots;
      const data = await call("GET", `/_mock/telegram/chats/${encodeURIComponent(chatId)}/messages`);
      return [
        h("p", { class: "chat-state" }, "State: ", h("strong", { class: `state state-${data.state}` }, data.state)),
        data.messages.length
          ? h("ol", { class: "conversation", "aria-label": `Messages of chat ${chatId}` }, data.messages.map((m) => renderMessage(chatId, m, botInput.value)))
          : h("p", { class: "empty" }, "No messages in this chat yet."),
      ];
    },
  };
}

// -- deliveries --------------------------------------------------------------------------------------------------

VIEWS.deliveries = (main, region, arg, params) => {
  const sendId = params.get("send_id") || "";
  const status = params.get("status") || "";
  const offset = Number(params.get("offset") || 0);
  const select = h("select", { name: "status" }, h("option", { value: "" }, "any"), STATUSES.map((s) => h("option", { value: s, selected: s === status }, s)));
  const campaign = h("input", { name: "send_id", value: sendId, inputmode: "numeric", pattern: "[0-9]*" });
  const form = h("form", { class: "search", "aria-label": "Filter deliveries" }, field("Campaign (send id)", campaign), field("Status", select), h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => { event.preventDefault(); go("deliveries", undefined, { send_id: campaign.value.trim(), status: select.value }); });
  main.append(h("h1", {}, "Deliveries"), form, h("p", { class: "call" }, h("code", {}, "GET /_mock/deliveries?send_id=&status=&offset=&limit=")));
  return {
    kinds: ["delivery"],
    refresh: async () => {
      const data = await call("GET", `/_mock/deliveries${query({ send_id: sendId, status, offset, limit: PAGE })}`);
      return [
        h("h2", {}, "Campaigns"),
        table("Campaigns (one per send)", ["Send", "Message", "Kind", "Created", "Total", "By status", "Tokens removed"],
          data.campaigns.map((c) => [link(`#/deliveries${query({ send_id: c.send_id })}`, String(c.send_id)),
            `${c.message_id}${c.message_name ? " " + c.message_name : ""}`, c.broadcast ? "broadcast" : "smartsend", c.created, String(c.total),
            Object.entries(c.by_status).map(([s, n]) => `${s} ${n}`).join(", "), String(c.tokens_removed)]), "Nothing sent yet."),
        h("h2", {}, sendId ? `Deliveries of send ${sendId}` : "Deliveries, newest first"),
        table("Deliveries", ["requestId", "Bot", "Chat", "Contact", "Status", "Attempts", "Reason", "Token removed from"],
          data.items.map((d) => [h("code", {}, d.requestId), d.bot ? `@${d.bot}` : d.app_uuid, link(`#/telegram/${encodeURIComponent(d.chat_id)}`, d.chat_id),
            d.contactId ? link(`#/contacts/${d.contactId}`, String(d.contactId)) : "—", h("span", { class: `status status-${d.status}` }, d.status),
            String(d.attempts), d.reason || (d.clicked_link ? `clicked ${d.clicked_link}` : ""),
            d.token_removed_from.map((id) => link(`#/contacts/${id}`, String(id)))]), "No deliveries match."),
        pager(data.total, offset, PAGE, (next) => go("deliveries", undefined, { send_id: sendId, status, offset: next })),
      ];
    },
  };
};

// -- journal -------------------------------------------------------------------------------------------------------

VIEWS.journal = (main, region, arg, params) => {
  const filters = { method: params.get("method") || "", path: params.get("path") || "", status: params.get("status") || "" };
  const only = params.get("id");
  const method = h("input", { name: "method", value: filters.method, list: "methods", placeholder: "any" });
  const path = h("input", { name: "path", value: filters.path, placeholder: "a glob, e.g. /api/v1/*" });
  const status = h("input", { name: "status", value: filters.status, inputmode: "numeric", pattern: "[0-9]{1,3}", placeholder: "any" });
  const form = h("form", { class: "search", "aria-label": "Filter the journal" },
    field("Method", method), field("Path", path), field("Status", status), h("button", { type: "submit" }, "Filter"),
    h("datalist", { id: "methods" }, ["GET", "POST", "PUT", "DELETE", "RETRY", "WEBHOOK"].map((m) => h("option", { value: m }))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go("journal", undefined, { method: method.value.trim(), path: path.value.trim(), status: status.value.trim() });
  });
  main.append(h("h1", {}, "Journal"), form,
    h("p", { class: "call" }, h("code", {}, `GET /_mock/requests?method=&path=&status=&limit=${JOURNAL_LIMIT}&items=${NOTE_ITEMS}`), " (the newest first; control-plane calls are not journaled)"));
  return {
    kinds: ["request"],
    refresh: async () => {
      const data = await call("GET", `/_mock/requests${query({ ...filters, limit: JOURNAL_LIMIT, items: NOTE_ITEMS })}`);
      let entries = data.requests.slice().reverse();
      if (only) entries = entries.filter((e) => String(e.id) === only);
      return [
        h("p", {}, `${entries.length} shown · ${data.dropped} dropped from the journal's bound`),
        entries.length ? h("ol", { class: "journal", reversed: true }, entries.map((e) => journalEntry(e, only))) : h("p", { class: "empty" }, "No requests match."),
      ];
    },
  };
};

function journalEntry(entry, open) {
  const extras = Object.fromEntries(Object.entries(entry).filter(([k]) => !["id", "time", "method", "path", "query", "status", "request", "response", "outcomes", "truncated"].includes(k)));
  const bad = entry.status >= 400 || entry.status === 0;
  return h("li", { "data-request-id": entry.id },
    h("details", { open: open === String(entry.id) },
      h("summary", {}, h("span", { class: "id" }, `#${entry.id}`), " ", h("strong", {}, entry.method), " ", h("code", {}, entry.path + (entry.query ? `?${entry.query}` : "")),
        " → ", h("span", { class: bad ? "status bad" : "status" }, entry.status ? String(entry.status) : "no answer"), " ", h("time", {}, when(entry.time))),
      entry.truncated ? h("p", { class: "call" }, `Shown in part: ${Object.entries(entry.truncated).map(([k, n]) => `${k}, the first ${NOTE_ITEMS} of ${n}`).join("; ")}`) : null,
      entry.outcomes ? table("Each token item's outcome", ["Item", "Token", "Outcome", "Contact"],
        entry.outcomes.map((o) => [String(o.index), o.token, o.outcome, link(`#/contacts/${o.contactId}`, String(o.contactId))])) : null,
      h("div", { class: "bodies" },
        h("section", {}, h("h3", {}, "Request body"), json(entry.request.body)),
        h("section", {}, h("h3", {}, "Answer"), json(entry.response.body))),
      Object.keys(extras).length ? h("section", {}, h("h3", {}, "Notes"), json(extras)) : null));
}

// -- control ----------------------------------------------------------------------------------------------------------

VIEWS.control = (main) => {
  const scenarios = h("select", { name: "scenario", required: true });
  call("GET", "/_mock/scenarios").then((data) => {
    scenarios.replaceChildren(...data.scenarios.map((name) => h("option", { value: name }, name)));
  }).catch(showProblem);
  const faultSpec = h("textarea", { name: "spec", rows: 4, required: true },
    JSON.stringify({ match: { method: "POST", path: "/api/v1/apps/*/tokens" }, action: { status: 500 }, times: 1 }));
  main.append(h("h1", {}, "Control"),
    h("section", { "aria-labelledby": "c-world" }, h("h2", { id: "c-world" }, "World"),
      action("Reset", "POST /_mock/reset", () => call("POST", "/_mock/reset"), [], { danger: true }),
      action("Clear the journal", "POST /_mock/reset?only=journal", () => call("POST", "/_mock/reset?only=journal")),
      action("Load scenario", "GET /_mock/scenarios/{name}, then POST /_mock/scenario",
        async (data) => {
          const text = await call("GET", `/_mock/scenarios/${encodeURIComponent(data.get("scenario"))}`);
          return call("POST", "/_mock/scenario", text, "application/yaml");
        }, [field("Shipped scenario", scenarios)], { danger: true })),
    h("section", { "aria-labelledby": "c-clock" }, h("h2", { id: "c-clock" }, "Clock"),
      h("div", { class: "clock-now" }),
      action("Freeze", "POST /_mock/clock {freeze: true}", () => call("POST", "/_mock/clock", { freeze: true })),
      action("Unfreeze", "POST /_mock/clock {freeze: false}", () => call("POST", "/_mock/clock", { freeze: false })),
      action("Advance", "POST /_mock/clock {advance: seconds}", (d) => call("POST", "/_mock/clock", { advance: Number(d.get("seconds")) }),
        [field("Seconds", h("input", { name: "seconds", type: "number", min: "0", step: "any", value: "60", required: true }))]),
      action("Reset clock", "POST /_mock/clock {reset: true}", () => call("POST", "/_mock/clock", { reset: true }))),
    h("section", { "aria-labelledby": "c-faults" }, h("h2", { id: "c-faults" }, "Faults"),
      action("Add fault", "POST /_mock/faults", (d) => {
        let spec;
        try { spec = JSON.parse(d.get("spec")); } catch (error) { throw new Error(`the rule is not JSON: ${error.message}`); }
        return call("POST", "/_mock/faults", spec);
      }, [field("Rule (JSON)", faultSpec)]),
      action("Remove all faults", "DELETE /_mock/faults", () => call("DELETE", "/_mock/faults"), [], { danger: true })));
  return {
    kinds: ["clock", "fault"],
    refresh: async () => {
      const [clock, faults] = await Promise.all([call("GET", "/_mock/clock"), call("GET", "/_mock/faults")]);
      main.querySelector(".clock-now").replaceChildren(definitions([["Now", when(clock.now)], ["Frozen", clock.frozen ? "yes" : "no"]]));
      return [
        h("h2", {}, "Fault rules"),
        table("Active fault rules", ["Id", "Match", "Action", "Left", ""],
          faults.faults.map((f) => [f.id, h("code", {}, JSON.stringify(f.match || {})), h("code", {}, JSON.stringify(f.action)),
            f.remaining === null || f.remaining === undefined ? "∞" : String(f.remaining),
            h("button", { type: "button", "aria-label": `Remove fault ${f.id}`, onclick: () => act(() => call("DELETE", `/_mock/faults/${encodeURIComponent(f.id)}`)) }, "Remove")]),
          "No fault rules."),
      ];
    },
  };
};

// -- start -----------------------------------------------------------------------------------------------------------------

setUpTokenDialog();
window.addEventListener("hashchange", route);
route();
listen();
