// The explore pane: an entity at the centre, its categories around it, each category expanding
// into its children 30 at a time, and Vinyl Archaeology: a year scrubber that shows the graph as it
// stood in a given year (expand's before_year) with the genres and styles that had appeared by then.

import Alpine from "alpinejs";
import { getJson, isAbort } from "../api.js";
import { ForceGraph } from "../graph.js";
import { debounce, formatCount, typeLabel } from "../format.js";
import { readUrl, writeUrl } from "../url-state.js";

export const PAGE_SIZE = 30;
const MAX_PAGE = 200;
const PLAY_INTERVAL_MS = 1000;

export function explorePane() {
  // Kept outside Alpine's reactive state: D3 owns these objects and must see them unwrapped.
  let graph = null;
  let exploreController = null;
  let timelineController = null;
  let playTimer = null;
  let lastEmergenceYear = null;

  return {
    entityType: readUrl().type,
    query: "",
    center: null,
    categories: [],
    expansions: {},
    loading: false,
    error: "",
    stats: null,
    statsError: "",
    timeline: {
      min: null,
      max: null,
      year: null,
      enabled: false,
      playing: false,
      speed: 1,
      loading: false,
      error: "",
      genres: [],
      styles: [],
      fresh: [],
    },

    init() {
      graph = new ForceGraph(this.$refs.graph, {
        label: "Exploration graph",
        onActivate: (node) => this.activate(node),
      });
      this.refreshTimeline = debounce(() => this.applyYear(), 150);
      const { pane, name, type } = readUrl();
      if (pane === "explore" && name) this.open({ name, type }, { push: false });
      this.loadStats();
      this.loadYearRange();
      window.addEventListener("popstate", () => this.followHistory());
    },

    destroy() {
      this.pause();
      graph?.destroy();
    },

    // ---- opening an entity -------------------------------------------------------------------

    async open({ name, type }, { push = true } = {}) {
      const entityType = type ?? this.entityType;
      this.entityType = entityType;
      this.query = name;
      exploreController?.abort();
      exploreController = new AbortController();
      this.loading = true;
      this.error = "";
      try {
        const answer = await getJson("explore", { name, type: entityType }, { signal: exploreController.signal });
        this.center = { ...answer.center, id: String(answer.center.id) };
        this.categories = answer.categories ?? [];
        this.expansions = {};
        this.query = this.center.name;
        writeUrl({ name: this.center.name, type: this.center.type }, { push });
        this.redraw({ fit: true });
        if (this.timeline.enabled) this.loadEmergence();
      } catch (error) {
        if (isAbort(error)) return;
        this.error = error.notFound ? `No ${typeLabel(entityType).toLowerCase()} named “${name}” in the graph.` : error.message;
      } finally {
        this.loading = false;
      }
    },

    followHistory() {
      const { pane, name, type } = readUrl();
      Alpine.store("ui").go(pane, { push: false });
      if (pane !== "explore") return;
      if (name && (name !== this.center?.name || type !== this.center?.type)) {
        this.open({ name, type }, { push: false });
      } else if (!name) {
        this.reset();
      }
    },

    onPaneShown(detail) {
      // Back on this pane by its tab: the address names the centre again. (Following the history,
      // the address is already right; opening an entity writes its own.)
      if (detail.pane === "explore" && detail.push) {
        writeUrl({ name: this.center?.name, type: this.center?.type });
      } else if (detail.pane !== "explore") {
        this.pause();
      }
    },

    reset() {
      exploreController?.abort();
      this.center = null;
      this.categories = [];
      this.expansions = {};
      this.error = "";
      this.query = "";
      graph.clear();
    },

    // ---- the graph ---------------------------------------------------------------------------

    activate(node) {
      const inspector = Alpine.store("inspector");
      if (node.kind === "center") {
        inspector.show({ id: this.center.id, type: this.center.type, name: this.center.name });
      } else if (node.kind === "category") {
        this.toggleCategory(node.category);
      } else if (node.kind === "more") {
        this.loadMore(node.category);
      } else {
        inspector.show({ id: node.ref.id, type: node.ref.type, name: node.ref.name });
      }
    },

    async toggleCategory(category) {
      const entry = this.categories.find((item) => item.category === category);
      if (!entry || entry.count === 0) return;
      if (this.expansions[category] && !this.expansions[category].loading) {
        delete this.expansions[category];
        this.redraw();
        return;
      }
      this.expansions[category] = { children: [], total: entry.count, hasMore: false, loading: true, error: "" };
      this.redraw();
      await this.fetchPage(category, 0, PAGE_SIZE);
    },

    loadMore(category) {
      const expansion = this.expansions[category];
      if (!expansion || expansion.loading) return;
      expansion.loading = true;
      this.redraw();
      return this.fetchPage(category, expansion.children.length, PAGE_SIZE);
    },

    /** Loads one page of a category; offset 0 replaces what was there, a later offset appends. */
    async fetchPage(category, offset, limit, signal = undefined) {
      const center = this.center;
      try {
        const page = await getJson(
          "expand",
          {
            node_id: center.name,
            type: center.type,
            category,
            limit,
            offset,
            before_year: this.timeline.enabled ? this.timeline.year : undefined,
          },
          { signal },
        );
        const expansion = this.expansions[category];
        if (!expansion || this.center !== center) return;
        const children = (page.children ?? []).map((child) => ({ ...child, id: String(child.id) }));
        expansion.children = offset === 0 ? children : [...expansion.children, ...children];
        expansion.total = page.total ?? expansion.children.length;
        expansion.hasMore = Boolean(page.has_more);
        expansion.error = "";
      } catch (error) {
        if (isAbort(error)) return;
        const expansion = this.expansions[category];
        if (expansion) expansion.error = error.message;
        this.error = `Could not load ${category}: ${error.message}`;
      } finally {
        const expansion = this.expansions[category];
        if (expansion && !signal?.aborted) expansion.loading = false;
        this.redraw();
      }
    },

    /** Rebuilds the node and link lists from the state and hands them to the graph. */
    redraw({ fit = false } = {}) {
      if (!graph) return;
      if (!this.center) {
        graph.clear();
        return;
      }
      const nodes = [];
      const links = [];
      const emergence = this.emergenceFlags();
      const centerId = "center";
      nodes.push({
        id: centerId,
        kind: "center",
        type: this.center.type,
        label: this.center.name,
        title: `${this.center.name} (${typeLabel(this.center.type)}): open details`,
        ...emergence(this.center.type, this.center.name),
      });
      for (const category of this.categories) {
        const categoryId = `cat:${category.category}`;
        const expansion = this.expansions[category.category];
        const filtered = this.timeline.enabled && expansion && !expansion.loading;
        const count = filtered ? `${formatCount(expansion.total)} by ${this.timeline.year}` : formatCount(category.count);
        nodes.push({
          id: categoryId,
          kind: "category",
          category: category.category,
          count: category.count,
          near: centerId,
          label: `${category.name} (${count})`,
          title: `${category.name}: ${formatCount(category.count)}${
            category.count === 0 ? "" : expansion ? ", click to collapse" : ", click to expand"
          }`,
          expanded: Boolean(expansion),
          loading: Boolean(expansion?.loading),
          dimmed: category.count === 0,
        });
        links.push({ source: centerId, target: categoryId });
        if (!expansion) continue;
        for (const child of expansion.children) {
          const childId = `${category.category}:${child.type}:${child.id}`;
          const year = child.year ? ` (${child.year})` : "";
          const releases = child.release_count ? `, ${formatCount(child.release_count)} releases` : "";
          nodes.push({
            id: childId,
            kind: "entity",
            type: child.type,
            ref: child,
            near: categoryId,
            label: child.name,
            title: `${child.name}${year} (${typeLabel(child.type)}${releases})`,
            ...emergence(child.type, child.name),
          });
          links.push({ source: categoryId, target: childId });
        }
        if (expansion.hasMore) {
          const next = Math.min(PAGE_SIZE, expansion.total - expansion.children.length);
          const moreId = `more:${category.category}`;
          nodes.push({
            id: moreId,
            kind: "more",
            category: category.category,
            near: categoryId,
            label: expansion.loading ? "Loading…" : `Load ${next} more…`,
            title: `Load ${next} more ${category.name.toLowerCase()} (${expansion.children.length} of ${formatCount(expansion.total)} shown)`,
            loading: expansion.loading,
          });
          links.push({ source: categoryId, target: moreId });
        }
      }
      graph.setData(nodes, links, { fit });
    },

    /** Which genre and style nodes had not appeared yet (dimmed) or appear this year (fresh). */
    emergenceFlags() {
      const active = this.timeline.enabled && this.timeline.genres.length + this.timeline.styles.length > 0;
      const known = {
        genre: new Set(this.timeline.genres.map((item) => item.name)),
        style: new Set(this.timeline.styles.map((item) => item.name)),
      };
      const fresh = new Set(this.timeline.fresh.map((item) => `${item.kind}:${item.name}`));
      return (type, name) => {
        if (!active || !(type in known)) return {};
        return { dimmed: !known[type].has(name), fresh: fresh.has(`${type}:${name}`) };
      };
    },

    get visibleNodeCount() {
      return Object.values(this.expansions).reduce((sum, expansion) => sum + expansion.children.length, 0);
    },

    fitGraph() {
      graph?.fit();
    },

    // ---- graph statistics for the empty state -------------------------------------------------

    async loadStats() {
      try {
        this.stats = await getJson("graph/stats");
      } catch (error) {
        this.statsError = error.message;
      }
    },

    // ---- Vinyl Archaeology: the year scrubber -------------------------------------------------

    async loadYearRange() {
      try {
        const range = await getJson("explore/year-range");
        if (range.min_year === null || range.max_year === null) {
          this.timeline.error = "No release in the graph has a year.";
          return;
        }
        this.timeline.min = range.min_year;
        this.timeline.max = range.max_year;
        this.timeline.year = range.max_year;
      } catch (error) {
        this.timeline.error = `Year range unavailable: ${error.message}`;
      }
    },

    get timelineReady() {
      return this.timeline.min !== null && this.timeline.max !== null;
    },

    get timelineLabel() {
      return this.timeline.enabled ? `Up to ${this.timeline.year}` : "All years";
    },

    /** The slider moved (by hand or by the player). */
    onYearInput() {
      this.timeline.year = Number(this.timeline.year);
      this.timeline.enabled = true;
      this.refreshTimeline();
    },

    setYear(year) {
      this.timeline.year = Math.max(this.timeline.min, Math.min(this.timeline.max, year));
      this.onYearInput();
    },

    togglePlay() {
      if (this.timeline.playing) {
        this.pause();
        return;
      }
      if (!this.timelineReady) return;
      if (!this.timeline.enabled || this.timeline.year >= this.timeline.max) this.setYear(this.timeline.min);
      this.timeline.playing = true;
      playTimer = setInterval(() => {
        if (this.timeline.year >= this.timeline.max) {
          this.pause();
          return;
        }
        this.setYear(this.timeline.year + this.timeline.speed);
      }, PLAY_INTERVAL_MS);
    },

    pause() {
      clearInterval(playTimer);
      playTimer = null;
      this.timeline.playing = false;
    },

    resetTimeline() {
      this.pause();
      this.refreshTimeline.cancel?.();
      timelineController?.abort();
      lastEmergenceYear = null;
      Object.assign(this.timeline, { enabled: false, year: this.timeline.max, genres: [], styles: [], fresh: [] });
      this.timeline.loading = false;
      this.reloadExpansions(undefined);
    },

    /** Re-lists the open categories for the scrubber's year and loads what had emerged by then. */
    async applyYear() {
      if (!this.timeline.enabled) return;
      timelineController?.abort();
      timelineController = new AbortController();
      const signal = timelineController.signal;
      this.timeline.loading = true;
      await Promise.all([this.reloadExpansions(signal), this.loadEmergence(signal)]);
      if (!signal.aborted) this.timeline.loading = false;
    },

    reloadExpansions(signal) {
      if (!this.center) return Promise.resolve();
      return Promise.all(
        Object.entries(this.expansions).map(([category, expansion]) => {
          const limit = Math.min(MAX_PAGE, Math.max(PAGE_SIZE, expansion.children.length));
          return this.fetchPage(category, 0, limit, signal);
        }),
      );
    },

    async loadEmergence(signal = undefined) {
      const year = this.timeline.year;
      try {
        const answer = await getJson("explore/genre-emergence", { before_year: year }, { signal });
        const previous = lastEmergenceYear ?? year - 1;
        const tag = (kind) => (item) => ({ ...item, kind });
        const all = [...(answer.genres ?? []).map(tag("genre")), ...(answer.styles ?? []).map(tag("style"))];
        this.timeline.genres = answer.genres ?? [];
        this.timeline.styles = answer.styles ?? [];
        this.timeline.fresh =
          year > previous ? all.filter((item) => item.first_year > previous && item.first_year <= year) : [];
        this.timeline.error = "";
        lastEmergenceYear = year;
        this.redraw();
      } catch (error) {
        if (isAbort(error)) return;
        this.timeline.error = `Genre emergence unavailable: ${error.message}`;
      }
    },
  };
}
