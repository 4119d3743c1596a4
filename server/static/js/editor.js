/* Note editor: Ctrl/Cmd+S saves, [[ autocompletes note titles, # autocompletes tags, unsaved-change guard. */
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  var textarea = document.getElementById("id_body");
  if (!form || !textarea) return;

  var dirty = false;
  form.addEventListener("input", function () { dirty = true; saveDraft(); });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      closeList();
      form.requestSubmit();
    }
  });

  // ---- drafts: what is typed survives an expired session, a crash or a closed tab (kept in this browser only)
  var draftKey = "fbrain-draft:" + form.getAttribute("action");
  var title = document.getElementById("id_title");
  var draftTimer = null;

  function saveDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(function () {
      try {
        localStorage.setItem(draftKey, JSON.stringify({
          title: title ? title.value : "", body: textarea.value, savedAt: new Date().toISOString()
        }));
      } catch (error) { /* storage full or disabled: the beforeunload guard still protects */ }
    }, 300);
  }

  function offerDraft() {
    var draft = null;
    try { draft = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (error) { draft = null; }
    if (!draft || (draft.body === textarea.value && (!title || draft.title === title.value))) return;
    var banner = document.getElementById("draft-banner");
    if (!banner) return;
    banner.querySelector("[data-draft-time]").textContent = new Date(draft.savedAt).toLocaleString();
    banner.hidden = false;
    banner.querySelector("[data-draft-restore]").addEventListener("click", function () {
      if (title && draft.title) title.value = draft.title;
      textarea.value = draft.body;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      banner.hidden = true;
      textarea.focus();
    });
    banner.querySelector("[data-draft-discard]").addEventListener("click", function () {
      localStorage.removeItem(draftKey);
      banner.hidden = true;
    });
  }
  offerDraft();

  // ---- autocomplete ([[title and #tag), an ARIA combobox on the textarea
  var list = document.createElement("ul");
  list.id = "editor-suggestions";
  list.className = "autocomplete";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  textarea.parentNode.style.position = "relative";
  textarea.parentNode.appendChild(list);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", list.id);

  var active = -1;
  var trigger = null;   // {kind: "title"|"tag", start: index of the query in the text, query: string}
  var timer = null;
  var requestSeq = 0;

  function currentTrigger() {
    var caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) return null;
    var before = textarea.value.slice(Math.max(0, caret - 120), caret);
    var m = /\[\[([^\[\]\|#\n]{0,100})$/.exec(before);
    if (m) return { kind: "title", start: caret - m[1].length, query: m[1] };
    m = /(^|[\s(\[{,;:!?"'*>~])#([\w\/\-]{0,100})$/.exec(before);
    if (m) return { kind: "tag", start: caret - m[2].length, query: m[2] };
    return null;
  }

  function closeList() {
    list.hidden = true;
    list.innerHTML = "";
    active = -1;
    trigger = null;
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var items = list.querySelectorAll("li");
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
    textarea.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function show(results) {
    list.innerHTML = "";
    if (!results.length || !trigger) { closeList(); return; }
    results.forEach(function (text, i) {
      var item = document.createElement("li");
      item.id = "suggestion-" + i;
      item.setAttribute("role", "option");
      item.textContent = (trigger.kind === "tag" ? "#" : "") + text;
      item.dataset.value = text;
      item.addEventListener("mousedown", function (event) { event.preventDefault(); accept(i); });
      list.appendChild(item);
    });
    // Place the list under the line being typed (approximately: by counting lines above the caret).
    var lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 22;
    var lines = textarea.value.slice(0, textarea.selectionStart).split("\n").length;
    var top = textarea.offsetTop + Math.min(lines * lineHeight - textarea.scrollTop + 8, textarea.clientHeight);
    list.style.top = top + "px";
    list.style.left = textarea.offsetLeft + 12 + "px";
    list.hidden = false;
    highlight(0);
  }

  function accept(index) {
    var items = list.querySelectorAll("li");
    if (!trigger || !items[index]) return;
    var value = items[index].dataset.value;
    var caret = textarea.selectionStart;
    var after = textarea.value.slice(caret);
    var insert = value;
    if (trigger.kind === "title") {
      if (after.slice(0, 2) !== "]]") insert += "]]";
    } else if (!/^\s/.test(after)) {
      insert += " ";
    }
    textarea.setRangeText(insert, trigger.start, caret, "end");
    closeList();
    dirty = true;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  function lookup() {
    trigger = currentTrigger();
    if (!trigger) { closeList(); return; }
    var url = form.dataset[trigger.kind === "title" ? "titlesUrl" : "tagsUrl"];
    var seq = ++requestSeq;
    var wanted = trigger;
    fetch(url + "?q=" + encodeURIComponent(wanted.query), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (seq === requestSeq && trigger === wanted) show(data.results || []); })
      .catch(closeList);
  }

  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 120);
  });
  textarea.addEventListener("blur", function () { setTimeout(closeList, 150); });
  textarea.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); accept(active); }
    else if (event.key === "Escape") { event.preventDefault(); closeList(); }
  });
})();
