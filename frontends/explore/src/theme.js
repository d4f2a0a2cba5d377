// Light and dark themes: a stored choice wins; without one the page follows the system setting,
// live. index.html applies the same rule before the first paint so the page never flashes.

export const THEME_KEY = "discogsography-theme";
const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

function storedChoice() {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === "light" || value === "dark" ? value : null;
  } catch {
    return null;
  }
}

export function themeStore() {
  return {
    choice: storedChoice(),
    systemIsDark: systemDark.matches,

    init() {
      systemDark.addEventListener("change", (event) => {
        this.systemIsDark = event.matches;
        this.apply();
      });
      this.apply();
    },

    get current() {
      return this.choice ?? (this.systemIsDark ? "dark" : "light");
    },

    get isDark() {
      return this.current === "dark";
    },

    toggle() {
      this.choice = this.isDark ? "light" : "dark";
      try {
        localStorage.setItem(THEME_KEY, this.choice);
      } catch {
        // Private windows may refuse storage: the toggle still works for this page.
      }
      this.apply();
    },

    apply() {
      document.documentElement.classList.toggle("dark", this.isDark);
      document.documentElement.style.colorScheme = this.current;
      window.dispatchEvent(new CustomEvent("theme-changed", { detail: { theme: this.current } }));
    },
  };
}
