// Page-wide state shared by the panes: which pane shows, and the node inspector (the info panel
// that any pane opens on a node).

import { getJson, isAbort } from "./api.js";
import { PANES, readUrl, writeUrl } from "./url-state.js";

export function uiStore() {
  return {
    pane: readUrl().pane,
    panes: PANES,

    /** Shows a pane; `push` records it in the history (false when following the history). */
    go(pane, { push = true } = {}) {
      const changed = this.pane !== pane;
      this.pane = pane;
      if (pane !== "explore") writeUrl({ pane }, { push: push && changed });
      window.dispatchEvent(new CustomEvent("pane-shown", { detail: { pane, push: push && changed } }));
    },

    /** Arrow keys in the tab list: show the next or previous pane and move the focus to its tab. */
    step(offset) {
      const next = PANES[(PANES.indexOf(this.pane) + offset + PANES.length) % PANES.length];
      this.go(next);
      requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
    },

    /** Centres the explore pane on an entity. */
    explore(name, type) {
      this.go("explore", { push: false });
      window.dispatchEvent(new CustomEvent("explore-entity", { detail: { name, type } }));
    },

    /** Charts an entity in the trends pane. */
    trends(name, type) {
      this.go("trends");
      window.dispatchEvent(new CustomEvent("trends-entity", { detail: { name, type } }));
    },
  };
}

const COLLABORATOR_LIMIT = 8;

export function inspectorStore() {
  let controller = null;
  return {
    ref: null,
    details: null,
    loading: false,
    error: "",
    collaborators: [],
    collaboratorTotal: 0,

    get isOpen() {
      return this.ref !== null;
    },

    /** Opens the panel on {id, type, name} and loads /api/node/{id}. */
    async show(ref) {
      controller?.abort();
      controller = new AbortController();
      const signal = controller.signal;
      this.ref = { ...ref, id: String(ref.id) };
      this.details = null;
      this.error = "";
      this.collaborators = [];
      this.collaboratorTotal = 0;
      this.loading = true;
      try {
        this.details = await getJson(
          `node/${encodeURIComponent(this.ref.id)}`,
          { type: this.ref.type },
          { signal },
        );
      } catch (error) {
        if (isAbort(error)) return;
        this.error = error.notFound ? `No ${this.ref.type} “${this.ref.name ?? this.ref.id}” in the graph.` : error.message;
        return;
      } finally {
        if (!signal.aborted) this.loading = false;
      }
      if (this.ref.type === "artist") this.loadCollaborators(signal);
    },

    async loadCollaborators(signal) {
      try {
        const answer = await getJson(
          `collaborators/${encodeURIComponent(this.ref.id)}`,
          { limit: COLLABORATOR_LIMIT },
          { signal },
        );
        this.collaborators = answer.collaborators ?? [];
        this.collaboratorTotal = answer.total ?? this.collaborators.length;
      } catch {
        // Collaborators are a garnish of the panel: without them it still says what matters.
        this.collaborators = [];
      }
    },

    close() {
      controller?.abort();
      this.ref = null;
      this.details = null;
      this.loading = false;
      this.error = "";
    },
  };
}
