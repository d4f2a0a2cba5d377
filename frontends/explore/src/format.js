// Small display helpers shared by the panes.

const numberFormat = new Intl.NumberFormat("en");

export const formatCount = (value) => (value === null || value === undefined ? "–" : numberFormat.format(value));

export const TYPE_LABELS = {
  artist: "Artist",
  label: "Label",
  genre: "Genre",
  style: "Style",
  release: "Release",
  master: "Master",
};

export const typeLabel = (type) => TYPE_LABELS[type] ?? type;

/** Types /api/explore can centre on. */
export const isExplorable = (type) => ["artist", "label", "genre", "style"].includes(type);

const escapeHtml = (text) =>
  String(text ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

/**
 * Search highlights arrive as HTML: the name escaped, the matched words in <b>. They are parsed
 * (inertly: DOMParser runs no script) and rebuilt from their text, with only those words marked,
 * so whatever the answer holds, no markup but <mark> reaches the page.
 */
export function safeHighlight(html) {
  const body = new DOMParser().parseFromString(`<body>${html ?? ""}</body>`, "text/html").body;
  return Array.from(body.childNodes)
    .map((part) =>
      part.nodeName === "B" ? `<mark>${escapeHtml(part.textContent)}</mark>` : escapeHtml(part.textContent),
    )
    .join("");
}

export function debounce(action, delayMs) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => action(...args), delayMs);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}
