// The explorer's entry point: styles, Alpine stores and components, then Alpine itself.

import "./styles.css";
import Alpine from "alpinejs";
import { combobox } from "./combobox.js";
import { formatCount, isExplorable, typeLabel } from "./format.js";
import { explorePane } from "./panes/explore.js";
import { genresPane } from "./panes/genres.js";
import { DEPTHS, pathPane } from "./panes/path.js";
import { searchPane } from "./panes/search.js";
import { trendsPane } from "./panes/trends.js";
import { inspectorStore, uiStore } from "./stores.js";
import { themeStore } from "./theme.js";
import { ENTITY_TYPES } from "./url-state.js";

Alpine.store("theme", themeStore());
Alpine.store("ui", uiStore());
Alpine.store("inspector", inspectorStore());

Alpine.data("combobox", combobox);
Alpine.data("explorePane", explorePane);
Alpine.data("trendsPane", trendsPane);
Alpine.data("pathPane", pathPane);
Alpine.data("searchPane", searchPane);
Alpine.data("genresPane", genresPane);

// Helpers the templates use directly.
Alpine.magic("fmt", () => formatCount);
Alpine.magic("typeLabel", () => typeLabel);
Alpine.magic("explorable", () => isExplorable);
Alpine.magic("entityTypes", () => ENTITY_TYPES);
Alpine.magic("depths", () => DEPTHS);

window.Alpine = Alpine;
Alpine.start();
