// The name box with suggestions that explore, trends and path share: a WAI-ARIA combobox with a
// listbox popup. It waits for a pause in typing, asks /api/autocomplete for names of the current
// entity type, and lets the keyboard drive it (arrows move, Enter picks, Escape closes then clears).
// The chosen entry leaves as a `pick` event ({id, name, type}) on the component's root element.

import { getJson, isAbort } from "./api.js";

export const MIN_QUERY_LENGTH = 3;
const DEBOUNCE_MS = 250;
const SUGGESTION_LIMIT = 10;
// Answers are kept for the page's life: the API limits autocomplete calls per minute.
const answers = new Map();

export function combobox({ type = () => "artist" } = {}) {
  let timer = null;
  let controller = null;

  return {
    comboText: "",
    comboItems: [],
    comboActive: -1,
    comboOpen: false,
    comboBusy: false,
    comboSearched: false,
    comboError: "",
    comboChosen: "",

    get comboListboxId() {
      return `${this.$root.dataset.comboId}-listbox`;
    },

    get comboActiveId() {
      return this.comboActive >= 0 ? `${this.$root.dataset.comboId}-option-${this.comboActive}` : null;
    },

    get comboHint() {
      const length = this.comboText.trim().length;
      return length > 0 && length < MIN_QUERY_LENGTH ? `Type at least ${MIN_QUERY_LENGTH} characters` : "";
    },

    init() {
      // A new type makes the old suggestions wrong.
      this.$watch(
        () => type(),
        () => {
          this.comboItems = [];
          this.comboOpen = false;
          this.comboSearched = false;
        },
      );
    },

    comboInput() {
      this.comboError = "";
      this.comboChosen = "";
      clearTimeout(timer);
      const text = this.comboText.trim();
      if (text.length < MIN_QUERY_LENGTH) {
        controller?.abort();
        this.comboItems = [];
        this.comboOpen = false;
        this.comboBusy = false;
        this.comboSearched = false;
        return;
      }
      timer = setTimeout(() => this.comboSuggest(text), DEBOUNCE_MS);
    },

    async comboSuggest(text) {
      const entityType = type();
      const key = `${entityType}\u0000${text.toLowerCase()}`;
      controller?.abort();
      controller = new AbortController();
      this.comboBusy = true;
      try {
        let results = answers.get(key);
        if (!results) {
          const answer = await getJson(
            "autocomplete",
            { q: text, type: entityType, limit: SUGGESTION_LIMIT },
            { signal: controller.signal },
          );
          results = answer.results ?? [];
          answers.set(key, results);
        }
        if (this.comboText.trim() !== text) return;
        this.comboItems = results.map((item) => ({ ...item, id: String(item.id), type: entityType }));
        this.comboActive = this.comboItems.length > 0 ? 0 : -1;
        this.comboSearched = true;
        this.comboOpen = document.activeElement === this.$refs.input;
      } catch (error) {
        if (isAbort(error)) return;
        this.comboItems = [];
        this.comboError = error.message;
        this.comboOpen = false;
      } finally {
        this.comboBusy = false;
      }
    },

    comboMove(step) {
      if (!this.comboOpen) {
        if (this.comboItems.length > 0) this.comboOpen = true;
        else if (this.comboText.trim().length >= MIN_QUERY_LENGTH) this.comboSuggest(this.comboText.trim());
        return;
      }
      if (this.comboItems.length === 0) return;
      this.comboActive = (this.comboActive + step + this.comboItems.length) % this.comboItems.length;
      this.$nextTick(() => document.getElementById(this.comboActiveId)?.scrollIntoView({ block: "nearest" }));
    },

    comboChoose(index = this.comboActive) {
      const item = this.comboItems[index];
      if (!this.comboOpen || !item) {
        // Enter with no list open takes the typed text as an exact name.
        const text = this.comboText.trim();
        if (text.length > 0 && !this.comboOpen && text !== this.comboChosen) {
          this.comboPick({ id: text, name: text, type: type() });
        }
        return;
      }
      this.comboPick(item);
    },

    comboPick(item) {
      clearTimeout(timer);
      controller?.abort();
      this.comboBusy = false;
      this.comboText = item.name;
      this.comboChosen = item.name;
      this.comboOpen = false;
      this.comboActive = -1;
      this.$dispatch("pick", item);
    },

    comboEscape(event) {
      if (this.comboOpen) {
        event.stopPropagation();
        this.comboOpen = false;
        return;
      }
      this.comboText = "";
      this.comboItems = [];
      this.comboSearched = false;
    },

    comboClose() {
      this.comboOpen = false;
    },

    comboReopen() {
      if (this.comboItems.length > 0 && this.comboText.trim() !== this.comboChosen) this.comboOpen = true;
    },
  };
}
