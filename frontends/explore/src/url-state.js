// What the address bar holds: `?name=&type=` for an explored entity (the explore pane is the
// default), `?pane=<name>` for the others. Sharing the address reopens the same view.

export const PANES = ["explore", "trends", "path", "search", "genres"];
export const ENTITY_TYPES = ["artist", "genre", "label", "style"];

export function readUrl() {
  const params = new URLSearchParams(window.location.search);
  const pane = PANES.includes(params.get("pane")) ? params.get("pane") : "explore";
  const name = params.get("name")?.trim() || null;
  const type = ENTITY_TYPES.includes(params.get("type")) ? params.get("type") : "artist";
  return { pane, name, type };
}

/** Puts a view in the address bar; `push` adds a history entry, otherwise the current one is replaced. */
export function writeUrl({ pane = "explore", name = null, type = null }, { push = true } = {}) {
  const params = new URLSearchParams();
  if (pane !== "explore") params.set("pane", pane);
  if (pane === "explore" && name) {
    params.set("name", name);
    params.set("type", type ?? "artist");
  }
  const search = params.toString();
  const target = `${window.location.pathname}${search ? `?${search}` : ""}`;
  if (target === `${window.location.pathname}${window.location.search}`) return;
  if (push) window.history.pushState(null, "", target);
  else window.history.replaceState(null, "", target);
}
