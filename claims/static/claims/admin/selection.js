/* Selecting words in a source's text fills a form's offsets.
 *
 * A container marked [data-selectable] holds exactly the source text (its
 * highlights are links inside it, adding no characters). A selection inside it
 * is turned into offsets in code points, as the server counts them (a
 * JavaScript string counts UTF-16 units: an emoji is one code point, two
 * units), and written into the fields {prefix}start, {prefix}end and
 * {prefix}exact of the page's form, if there are any. The source page also has
 * a "propose a claim" button that opens the proposal form with the selection.
 *
 * On the status form, choosing another evidence source loads its text (from
 * the source admin's text/ view) into the page so its words can be selected.
 */
(function () {
  "use strict";

  function codePoints(text) {
    return Array.from(text).length;
  }

  function offsetIn(container, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  // The selection inside the container, as code-point offsets, or null.
  function selectionIn(container) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return null;
    }
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) ||
        !container.contains(range.endContainer)) {
      return null;
    }
    const start = offsetIn(container, range.startContainer, range.startOffset);
    const end = offsetIn(container, range.endContainer, range.endOffset);
    if (end <= start) {
      return null;
    }
    const exact = Array.from(container.textContent).slice(start, end).join("");
    return {start: start, end: end, exact: exact};
  }

  function field(prefix, name) {
    return document.getElementById("id_" + prefix + name);
  }

  function fill(container) {
    const chosen = selectionIn(container);
    const prefix = container.dataset.prefix || "";
    const status = container.parentNode.querySelector(".ct-selection-status");
    if (!chosen) {
      return;
    }
    const start = field(prefix, "start");
    const end = field(prefix, "end");
    const exact = field(prefix, "exact");
    if (start && end) {
      start.value = chosen.start;
      end.value = chosen.end;
      if (exact) {
        exact.value = chosen.exact;
      }
    }
    if (status) {
      status.textContent = "Selected characters " + chosen.start + "–" + chosen.end + ".";
    }
  }

  function watch(container) {
    container.addEventListener("mouseup", function () { fill(container); });
    container.addEventListener("keyup", function () { fill(container); });
  }

  function proposeButtons() {
    document.querySelectorAll("[data-propose-url]").forEach(function (button) {
      button.addEventListener("click", function () {
        const container = document.querySelector(button.dataset.for);
        const chosen = container && selectionIn(container);
        const status = document.querySelector(button.dataset.status);
        if (!chosen) {
          if (status) {
            status.textContent = "First select the claimed words in the text.";
          }
          return;
        }
        const url = new URL(button.dataset.proposeUrl, window.location.href);
        url.searchParams.set("source", container.dataset.source);
        url.searchParams.set("start", chosen.start);
        url.searchParams.set("end", chosen.end);
        window.location.assign(url.toString());
      });
    });
  }

  // The status form: show the chosen evidence source's text to select in.
  function followSourceChoice() {
    const select = document.getElementById("id_evidence_source");
    const slot = document.querySelector(".ct-selectable-slot, .ct-selectable-wrap");
    if (!select || !slot || !window.django || !window.django.jQuery) {
      return;
    }
    window.django.jQuery(select).on("change", function () {
      const id = select.value;
      ["start", "end", "exact"].forEach(function (name) {
        const input = field("evidence_", name);
        if (input) {
          input.value = "";
        }
      });
      let holder = document.querySelector(".ct-selectable-slot, .ct-selectable-wrap");
      if (!id) {
        holder.replaceChildren();
        return;
      }
      fetch(select.dataset.textUrl.replace("/0/", "/" + id + "/"), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          holder = document.querySelector(".ct-selectable-slot, .ct-selectable-wrap");
          const wrap = document.createElement("section");
          wrap.className = "ct-selectable-wrap";
          const heading = document.createElement("h2");
          const help = document.createElement("p");
          help.className = "help";
          const text = document.createElement("div");
          text.className = "ct-source-text";
          text.dataset.selectable = "";
          text.dataset.prefix = "evidence_";
          text.dataset.source = id;
          text.tabIndex = 0;
          if (data && data.text) {
            heading.textContent = "Select the words in “" + data.title + "”";
            help.textContent = "Select words to cite; leave empty to cite the whole source.";
            text.textContent = data.text;  // text, never HTML
          } else {
            heading.textContent = "This source has no text: it is cited as a whole.";
          }
          wrap.append(heading, help, text);
          holder.replaceWith(wrap);
          watch(text);
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-selectable]").forEach(watch);
    proposeButtons();
    followSourceChoice();
  });
})();
