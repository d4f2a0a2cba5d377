// The genres pane: every genre with its release count and the styles tagged alongside it
// (/api/genre-tree), filterable by name; a click explores the genre or style.

import Alpine from "alpinejs";
import { getJson } from "../api.js";
import { formatCount } from "../format.js";

export function genresPane() {
  return {
    tree: null,
    loading: false,
    error: "",
    filter: "",
    open: {},

    /** Loads the tree the first time the pane shows. */
    onPaneShown(pane) {
      if (pane === "genres" && this.tree === null && !this.loading) this.load();
    },

    async load() {
      this.loading = true;
      this.error = "";
      try {
        const answer = await getJson("genre-tree");
        this.tree = answer.genres ?? [];
      } catch (error) {
        this.error = error.message;
      } finally {
        this.loading = false;
      }
    },

    get largest() {
      return Math.max(1, ...(this.tree ?? []).map((genre) => genre.release_count));
    },

    /** Genres whose name, or one of whose styles' names, contains the filter text. */
    get shown() {
      const text = this.filter.trim().toLowerCase();
      const genres = this.tree ?? [];
      if (!text) return genres;
      return genres
        .map((genre) => {
          if (genre.name.toLowerCase().includes(text)) return genre;
          const styles = genre.styles.filter((style) => style.name.toLowerCase().includes(text));
          return styles.length > 0 ? { ...genre, styles } : null;
        })
        .filter(Boolean);
    },

    isOpen(genre) {
      return Boolean(this.open[genre.name]) || (this.filter.trim().length > 0 && genre.styles.length > 0);
    },

    toggle(genre) {
      this.open[genre.name] = !this.open[genre.name];
    },

    share(count) {
      return `${Math.max(2, Math.round((count / this.largest) * 100))}%`;
    },

    explore(name, type) {
      Alpine.store("ui").explore(name, type);
    },

    formatCount,
  };
}
