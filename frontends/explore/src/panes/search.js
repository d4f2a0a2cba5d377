// The search pane: full-text search over artists, labels, masters and releases (/api/search) with
// type and genre chips, a year range, decade bars, relevance, and numbered pages.

import Alpine from "alpinejs";
import { getJson, isAbort } from "../api.js";
import { debounce, formatCount, safeHighlight, typeLabel } from "../format.js";

const escapeName = (name) => String(name ?? "").replaceAll("&", "&amp;").replaceAll("<", "&lt;");

export const SEARCH_TYPES = ["artist", "label", "master", "release"];
export const PAGE_LIMIT = 20;
const MIN_QUERY = 3;

export function searchPane() {
  let controller = null;
  return {
    query: "",
    types: [...SEARCH_TYPES],
    genres: [],
    yearMin: "",
    yearMax: "",
    page: 1,
    loading: false,
    error: "",
    answer: null,

    init() {
      this.searchSoon = debounce(() => this.search({ page: 1 }), 400);
    },

    get hint() {
      const length = this.query.trim().length;
      return length > 0 && length < MIN_QUERY ? `Type at least ${MIN_QUERY} characters` : "";
    },

    get results() {
      return this.answer?.results ?? [];
    },

    get total() {
      return this.answer?.total ?? 0;
    },

    get pageCount() {
      return Math.max(1, Math.ceil(this.total / PAGE_LIMIT));
    },

    /** Page numbers to offer: first, last, and two either side of the current one, with gaps as null. */
    get pageNumbers() {
      const numbers = [];
      for (let page = 1; page <= this.pageCount; page += 1) {
        if (page === 1 || page === this.pageCount || Math.abs(page - this.page) <= 2) numbers.push(page);
        else if (numbers.at(-1) !== null) numbers.push(null);
      }
      return numbers;
    },

    get genreFacets() {
      const facet = this.answer?.facets?.genre ?? {};
      const names = new Set([...Object.keys(facet), ...this.genres]);
      return [...names].map((name) => ({ name, count: facet[name] ?? 0 })).sort((a, b) => b.count - a.count);
    },

    get typeFacets() {
      return this.answer?.facets?.type ?? {};
    },

    get decadeFacets() {
      const facet = this.answer?.facets?.decade ?? {};
      const entries = Object.entries(facet)
        .map(([decade, count]) => ({ decade, start: Number.parseInt(decade, 10), count }))
        .filter((entry) => Number.isFinite(entry.start))
        .sort((a, b) => a.start - b.start);
      const most = Math.max(1, ...entries.map((entry) => entry.count));
      return entries.map((entry) => ({ ...entry, share: entry.count / most }));
    },

    get rangeFrom() {
      return this.total === 0 ? 0 : (this.page - 1) * PAGE_LIMIT + 1;
    },

    get rangeTo() {
      return (this.page - 1) * PAGE_LIMIT + this.results.length;
    },

    toggleType(type) {
      this.types = this.types.includes(type) ? this.types.filter((item) => item !== type) : [...this.types, type];
      if (this.types.length === 0) this.types = [type];
      this.search({ page: 1 });
    },

    toggleGenre(name) {
      this.genres = this.genres.includes(name) ? this.genres.filter((item) => item !== name) : [...this.genres, name];
      this.search({ page: 1 });
    },

    pickDecade(start) {
      if (this.yearMin === String(start) && this.yearMax === String(start + 9)) {
        this.yearMin = "";
        this.yearMax = "";
      } else {
        this.yearMin = String(start);
        this.yearMax = String(start + 9);
      }
      this.search({ page: 1 });
    },

    clearFilters() {
      this.types = [...SEARCH_TYPES];
      this.genres = [];
      this.yearMin = "";
      this.yearMax = "";
      this.search({ page: 1 });
    },

    async search({ page = this.page } = {}) {
      this.searchSoon?.cancel();
      const text = this.query.trim();
      if (text.length < MIN_QUERY) {
        controller?.abort();
        this.answer = null;
        this.error = "";
        this.loading = false;
        return;
      }
      controller?.abort();
      controller = new AbortController();
      const signal = controller.signal;
      this.loading = true;
      this.error = "";
      try {
        this.answer = await getJson(
          "search",
          {
            q: text,
            types: this.types,
            genres: this.genres,
            year_min: this.yearMin,
            year_max: this.yearMax,
            limit: PAGE_LIMIT,
            offset: (page - 1) * PAGE_LIMIT,
          },
          { signal },
        );
        this.page = page;
      } catch (error) {
        if (isAbort(error)) return;
        this.error = error.message;
      } finally {
        if (!signal.aborted) this.loading = false;
      }
    },

    goToPage(page) {
      if (page < 1 || page > this.pageCount || page === this.page) return;
      this.search({ page });
    },

    open(result) {
      if (result.type === "artist" || result.type === "label") {
        Alpine.store("ui").explore(result.name, result.type);
      } else if (result.type === "release") {
        Alpine.store("inspector").show({ id: result.id, type: "release", name: result.name });
      }
    },

    canOpen(result) {
      return ["artist", "label", "release"].includes(result.type);
    },

    yearOf(result) {
      return result.metadata?.year ?? null;
    },

    genresOf(result) {
      return result.metadata?.genres ?? [];
    },

    highlight(result) {
      return result.highlight ? safeHighlight(result.highlight) : safeHighlight(escapeName(result.name));
    },

    relevancePercent(result) {
      const best = Math.max(...this.results.map((item) => item.relevance ?? 0), 0);
      return best > 0 ? Math.round(((result.relevance ?? 0) / best) * 100) : 0;
    },

    formatCount,
    typeLabel,
    SEARCH_TYPES,
  };
}
