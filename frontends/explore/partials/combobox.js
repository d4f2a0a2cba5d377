// Markup of the name combobox, written once and expanded at build time wherever index.html has
// <combo-box id=".." label=".." type="<expression>" model="<property>" onpick="<statement>">.
// Its behaviour lives in src/combobox.js.

const ATTRIBUTE = /([a-z-]+)="([^"]*)"/g;

export function comboboxMarkup(attributeText) {
  const options = Object.fromEntries([...attributeText.matchAll(ATTRIBUTE)].map((match) => [match[1], match[2]]));
  const { id, label, type = "'artist'", model, onpick, placeholder = "Type a name…" } = options;
  if (!id || !label || !model || !onpick) {
    throw new Error(`<combo-box> needs id, label, model and onpick: ${attributeText}`);
  }
  return `
<div class="combobox relative" data-combo-id="${id}"
     x-data="combobox({ type: () => (${type}) })" x-modelable="comboText" x-model="${model}"
     @pick="${onpick}" @click.outside="comboClose()">
  <label for="${id}" class="field-label">${label}</label>
  <div class="relative">
    <input id="${id}" x-ref="input" type="text" class="field-input pr-9" role="combobox"
           aria-autocomplete="list" aria-controls="${id}-listbox" :aria-expanded="comboOpen ? 'true' : 'false'"
           :aria-activedescendant="comboOpen ? comboActiveId : null" aria-describedby="${id}-hint"
           autocomplete="off" spellcheck="false" placeholder="${placeholder}"
           x-model="comboText" @input="comboInput()" @focus="comboReopen()"
           @keydown.arrow-down.prevent="comboMove(1)" @keydown.arrow-up.prevent="comboMove(-1)"
           @keydown.enter.prevent="comboChoose()" @keydown.escape="comboEscape($event)" @keydown.tab="comboClose()">
    <span class="spinner absolute right-3 top-1/2 -translate-y-1/2" x-show="comboBusy" x-cloak aria-hidden="true"></span>
  </div>
  <ul id="${id}-listbox" role="listbox" aria-label="${label} suggestions" class="combobox-list"
      x-show="comboOpen" x-cloak>
    <template x-for="(item, index) in comboItems" :key="item.id + ':' + index">
      <li role="option" class="combobox-option" :id="'${id}-option-' + index"
          :aria-selected="index === comboActive ? 'true' : 'false'"
          @mousedown.prevent="comboChoose(index)" @mousemove="comboActive = index">
        <span class="truncate" x-text="item.name"></span>
      </li>
    </template>
    <li x-show="comboSearched && comboItems.length === 0" class="combobox-empty" role="option" aria-disabled="true">No matches</li>
  </ul>
  <p id="${id}-hint" class="field-hint" x-text="comboError || comboHint" :class="comboError ? 'text-red-600 dark:text-red-400' : ''"
     :role="comboError ? 'alert' : null"></p>
</div>`;
}

/** Vite plugin: expands every <combo-box ...></combo-box> of index.html. */
export function comboboxPlugin() {
  return {
    name: "discogsography-combobox",
    transformIndexHtml(html) {
      return html.replace(/<combo-box\s([^>]*)><\/combo-box>/g, (_, attributes) => comboboxMarkup(attributes));
    },
  };
}
