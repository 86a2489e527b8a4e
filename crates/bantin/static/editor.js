// bantin's editor: what the author sees is what the reader will see.
// A progressive enhancement of each textarea[data-editor]: without
// JavaScript the form is a plain textarea and everything still works.
// Pasted HTML (Word, LibreOffice, Google Docs, web pages) is cleaned on the
// server (/admin/dan, the same cleaner every save uses) before it is put in.
// The text being written is kept in the browser while typing, so a closed
// tab or a crash does not lose it; leaving with unsaved changes asks first.
(function () {
  "use strict";

  var areas = document.querySelectorAll("textarea[data-editor]");
  if (!areas.length || !document.execCommand) return;

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // Plain text (the form's old way: a line is a paragraph) becomes paragraphs.
  function toHtml(value) {
    if (/<[a-zA-Z!\/]/.test(value)) return value;
    return value.split(/\n/).map(function (l) { return l.trim(); })
      .filter(function (l) { return l.length; })
      .map(function (l) { return "<p>" + escapeHtml(l) + "</p>"; }).join("");
  }

  function csrfOf(form) {
    var f = form && form.querySelector("input[name=csrf]");
    return f ? f.value : "";
  }

  areas.forEach(function (area, n) {
    var form = area.form;
    var surface = document.createElement("div");
    surface.className = "editor-surface body";
    surface.contentEditable = "true";
    surface.id = (area.id || "editor-" + n) + "-surface";
    surface.setAttribute("role", "textbox");
    surface.setAttribute("aria-multiline", "true");
    surface.setAttribute("data-editor-surface", "");
    var label = area.id && document.querySelector("label[for='" + area.id + "']");
    if (label) {
      if (!label.id) label.id = area.id + "-label";
      surface.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () { surface.focus(); });
    } else {
      surface.setAttribute("aria-label", "Nội dung");
    }
    if (area.getAttribute("aria-describedby")) {
      surface.setAttribute("aria-describedby", area.getAttribute("aria-describedby"));
    }
    surface.innerHTML = toHtml(area.value);
    var saved = surface.innerHTML;
    var submitting = false;
    var key = "bantin-nhap:" + location.pathname + ":" + (area.name || n);

    function sync() { area.value = surface.innerHTML; }
    function changed() { return surface.innerHTML !== saved; }

    // ---- the toolbar --------------------------------------------------
    var bar = document.createElement("div");
    bar.className = "toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Định dạng nội dung");
    bar.setAttribute("aria-controls", surface.id);

    function run(command, value) {
      surface.focus();
      document.execCommand(command, false, value === undefined ? null : value);
      sync();
      refresh();
    }

    function block(tag) {
      // Pressing a heading's button again makes it a paragraph.
      var now = (document.queryCommandValue("formatBlock") || "").toLowerCase();
      run("formatBlock", now === tag ? "<p>" : "<" + tag + ">");
    }

    function link() {
      var url = window.prompt("Địa chỉ liên kết (https://… hoặc /tin-tuc/…):", "https://");
      if (url === null) return;
      url = url.trim();
      if (!url || url === "https://") { run("unlink"); return; }
      if (!/^(https?:\/\/|\/[^\/]|mailto:|tel:)/i.test(url)) {
        window.alert("Liên kết phải bắt đầu bằng https://, http://, / (một trang của trang này), mailto: hoặc tel:.");
        return;
      }
      run("createLink", url);
    }

    function table() {
      var rows = parseInt(window.prompt("Số hàng (kể cả hàng tiêu đề):", "3"), 10);
      if (!rows) return;
      var cols = parseInt(window.prompt("Số cột:", "3"), 10);
      if (!cols) return;
      rows = Math.min(Math.max(rows, 2), 50);
      cols = Math.min(Math.max(cols, 1), 12);
      var html = "<table><thead><tr>";
      for (var c = 0; c < cols; c++) html += "<th scope=\"col\">Tiêu đề " + (c + 1) + "</th>";
      html += "</tr></thead><tbody>";
      for (var r = 1; r < rows; r++) {
        html += "<tr>";
        for (var d = 0; d < cols; d++) html += "<td>&nbsp;</td>";
        html += "</tr>";
      }
      run("insertHTML", html + "</tbody></table><p><br></p>");
    }

    // An image from the site's library or a new upload, with its alt text
    // (required: Circular 32/2017 Art. 18) and an optional caption.
    function image() {
      var range = null;
      var sel = window.getSelection();
      if (sel.rangeCount && surface.contains(sel.anchorNode)) range = sel.getRangeAt(0).cloneRange();
      var dialog = document.createElement("dialog");
      dialog.className = "image-dialog";
      dialog.setAttribute("aria-labelledby", surface.id + "-img-title");
      dialog.innerHTML =
        "<form method=\"dialog\" class=\"stack\">" +
        "<h2 id=\"" + surface.id + "-img-title\">Chèn ảnh</h2>" +
        "<p><label for=\"" + surface.id + "-img-file\">Tải ảnh mới lên</label><input id=\"" + surface.id + "-img-file\" type=\"file\" accept=\"image/jpeg,image/png,image/webp\"></p>" +
        "<fieldset><legend>Hoặc chọn ảnh đã có</legend><div class=\"image-choices\" role=\"radiogroup\"></div></fieldset>" +
        "<p><label for=\"" + surface.id + "-img-alt\">Mô tả ảnh cho người không xem được ảnh (bắt buộc)</label><input id=\"" + surface.id + "-img-alt\" aria-required=\"true\" maxlength=\"250\"></p>" +
        "<p><label for=\"" + surface.id + "-img-cap\">Chú thích dưới ảnh (không bắt buộc)</label><input id=\"" + surface.id + "-img-cap\" maxlength=\"300\"></p>" +
        "<p class=\"editor-status\" role=\"status\"></p>" +
        "<p><button type=\"submit\" value=\"insert\">Chèn ảnh</button> <button type=\"button\" class=\"secondary\" data-close>Huỷ</button></p>" +
        "</form>";
      document.body.appendChild(dialog);
      var choices = dialog.querySelector(".image-choices");
      var say = dialog.querySelector(".editor-status");
      var chosen = null;
      fetch("/admin/anh", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (list) {
        if (!list.length) choices.textContent = "Chưa có ảnh nào.";
        list.forEach(function (img, i) {
          var label = document.createElement("label");
          label.className = "image-choice";
          var radio = document.createElement("input");
          radio.type = "radio";
          radio.name = surface.id + "-img";
          radio.value = String(i);
          radio.addEventListener("change", function () { chosen = img; });
          var thumb = document.createElement("img");
          thumb.src = img.thumb;
          thumb.alt = "";
          label.appendChild(radio);
          label.appendChild(thumb);
          label.appendChild(document.createTextNode(img.name));
          choices.appendChild(label);
        });
      }).catch(function () { choices.textContent = "Không tải được danh sách ảnh."; });
      dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
      dialog.addEventListener("close", function () { dialog.remove(); surface.focus(); });
      function insert(img) {
        var alt = dialog.querySelector("#" + surface.id + "-img-alt").value.trim();
        var cap = dialog.querySelector("#" + surface.id + "-img-cap").value.trim();
        var tag = "<img src=\"" + escapeHtml(img.url) + "\" width=\"" + img.width + "\" height=\"" + img.height + "\" alt=\"" + escapeHtml(alt) + "\">";
        var html = cap ? "<figure>" + tag + "<figcaption>" + escapeHtml(cap) + "</figcaption></figure><p><br></p>" : "<p>" + tag + "</p>";
        // The page outside a modal dialog is inert: close it first.
        dialog.close();
        surface.focus();
        if (range) { sel.removeAllRanges(); sel.addRange(range); }
        document.execCommand("insertHTML", false, html);
        sync();
      }
      dialog.querySelector("form").addEventListener("submit", function (e) {
        e.preventDefault();
        var alt = dialog.querySelector("#" + surface.id + "-img-alt");
        if (!alt.value.trim()) {
          say.textContent = "Hãy viết mô tả ảnh: người dùng trình đọc màn hình nghe mô tả này thay cho ảnh.";
          alt.focus();
          return;
        }
        var file = dialog.querySelector("#" + surface.id + "-img-file").files[0];
        if (!file) {
          if (!chosen) { say.textContent = "Hãy chọn một ảnh hoặc tải ảnh mới lên."; return; }
          insert(chosen);
          return;
        }
        say.textContent = "Đang tải ảnh lên…";
        var data = new FormData();
        data.append("csrf", csrfOf(form));
        data.append("tep", file);
        fetch("/admin/anh", { method: "POST", credentials: "same-origin", body: data })
          .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
          .then(function (res) {
            if (!res[0]) { say.textContent = res[1].error || "Không tải được ảnh."; return; }
            insert(res[1]);
          })
          .catch(function () { say.textContent = "Không tải được ảnh."; });
      });
      dialog.showModal();
    }

    var buttons = [
      ["Đoạn văn", function () { run("formatBlock", "<p>"); }, "", null],
      ["Tiêu đề", function () { block("h2"); }, "", "h2"],
      ["Tiêu đề nhỏ", function () { block("h3"); }, "", "h3"],
      ["Đậm", function () { run("bold"); }, "Ctrl+B", "bold"],
      ["Nghiêng", function () { run("italic"); }, "Ctrl+I", "italic"],
      ["Gạch chân", function () { run("underline"); }, "Ctrl+U", "underline"],
      ["Liên kết", link, "Ctrl+K", null],
      ["Danh sách", function () { run("insertUnorderedList"); }, "", "insertUnorderedList"],
      ["Danh sách số", function () { run("insertOrderedList"); }, "", "insertOrderedList"],
      ["Trích dẫn", function () { block("blockquote"); }, "", "blockquote"],
      ["Bảng", table, "", null],
      ["Ảnh", image, "", null],
      ["Hoàn tác", function () { run("undo"); }, "Ctrl+Z", null],
      ["Làm lại", function () { run("redo"); }, "Ctrl+Y", null]
    ];
    var states = [];
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[0];
      if (b[2]) {
        button.title = b[0] + " (" + b[2] + ")";
        button.setAttribute("aria-keyshortcuts", b[2].replace("Ctrl", "Control"));
      }
      if (b[3]) {
        button.setAttribute("aria-pressed", "false");
        states.push([button, b[3]]);
      }
      // Keep the selection in the text while the button is pressed.
      button.addEventListener("mousedown", function (e) { e.preventDefault(); });
      button.addEventListener("click", b[1]);
      bar.appendChild(button);
    });

    function refresh() {
      var blockNow = (document.queryCommandValue("formatBlock") || "").toLowerCase();
      states.forEach(function (s) {
        var on = /^h[23]$|^blockquote$/.test(s[1]) ? blockNow === s[1] : document.queryCommandState(s[1]);
        s[0].setAttribute("aria-pressed", on ? "true" : "false");
      });
    }

    // ---- keyboard ------------------------------------------------------
    surface.addEventListener("keydown", function (e) {
      if (!(e.ctrlKey || e.metaKey)) return;
      var k = e.key.toLowerCase();
      if (k === "k") { e.preventDefault(); link(); }
      // Ctrl+B, I, U, Z, Y are the browser's own in editable text.
    });
    document.addEventListener("selectionchange", function () {
      if (document.activeElement === surface) refresh();
    });

    // ---- paste: cleaned by the server ------------------------------------
    var status = document.createElement("p");
    status.className = "editor-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    surface.addEventListener("paste", function (e) {
      var data = e.clipboardData;
      if (!data) return;
      var html = data.getData("text/html");
      e.preventDefault();
      if (!html) {
        var text = data.getData("text/plain");
        if (text) document.execCommand("insertHTML", false, toHtml(text));
        sync();
        return;
      }
      status.textContent = "Đang làm sạch nội dung dán vào…";
      var body = new URLSearchParams();
      body.set("csrf", csrfOf(form));
      body.set("html", html);
      fetch("/admin/dan", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString()
      }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (cleaned) {
        surface.focus();
        document.execCommand("insertHTML", false, cleaned.html);
        sync();
        status.textContent = cleaned.missing > 0
          ? "Đã dán. " + cleaned.missing + " ảnh không dán được (ô “Ảnh chưa được chèn”): hãy tải ảnh lên ở mục Ảnh rồi chèn lại."
          : "Đã dán.";
      }).catch(function () {
        // The server could not clean it: keep the text, never lose it.
        document.execCommand("insertHTML", false, toHtml(data.getData("text/plain") || ""));
        sync();
        status.textContent = "Không làm sạch được định dạng; đã dán phần chữ.";
      });
    });

    // ---- not losing work ------------------------------------------------
    var timer = null;
    surface.addEventListener("input", function () {
      sync();
      clearTimeout(timer);
      timer = setTimeout(function () {
        try {
          localStorage.setItem(key, JSON.stringify({ at: Date.now(), html: surface.innerHTML, from: saved }));
        } catch (err) { /* private mode: nothing kept */ }
      }, 1000);
    });
    var offer = null;
    try {
      var kept = JSON.parse(localStorage.getItem(key) || "null");
      if (kept && kept.html && kept.html !== saved && kept.from === saved) {
        offer = document.createElement("p");
        offer.className = "editor-restore";
        offer.setAttribute("role", "alert");
        var when = new Date(kept.at);
        offer.appendChild(document.createTextNode("Có bản đang soạn dở chưa lưu (lúc " +
          when.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" }) + " " +
          when.toLocaleDateString("vi-VN") + "). "));
        var restore = document.createElement("button");
        restore.type = "button";
        restore.textContent = "Khôi phục bản đang soạn";
        restore.addEventListener("click", function () {
          surface.innerHTML = kept.html;
          sync();
          offer.remove();
          surface.focus();
        });
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "secondary";
        drop.textContent = "Bỏ";
        drop.addEventListener("click", function () { localStorage.removeItem(key); offer.remove(); });
        offer.appendChild(restore);
        offer.appendChild(document.createTextNode(" "));
        offer.appendChild(drop);
      }
    } catch (err) { /* nothing kept */ }

    // Every 30 seconds of typing, the text goes to the server too (one
    // copy per article and person, offered back on opening the article).
    var autosaveUrl = form && form.getAttribute("data-autosave");
    var lastSent = surface.innerHTML;
    if (autosaveUrl) {
      setInterval(function () {
        if (submitting || surface.innerHTML === lastSent) return;
        var field = function (name) {
          var f = form.querySelector("[name='" + name + "']");
          return f ? f.value : "";
        };
        var body = new URLSearchParams();
        body.set("csrf", csrfOf(form));
        body.set("version", field("version"));
        body.set("title", field("title"));
        body.set("summary", field("summary"));
        body.set("byline", field("byline"));
        body.set("body", surface.innerHTML);
        var sent = surface.innerHTML;
        fetch(autosaveUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: body.toString()
        }).then(function (r) {
          if (!r.ok) return;
          lastSent = sent;
          var now = new Date();
          status.textContent = "Đã tự lưu lúc " + now.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" }) + ".";
        }).catch(function () { /* next time */ });
      }, 30000);
    }

    if (form) {
      form.addEventListener("submit", function () {
        sync();
        submitting = true;
        try { localStorage.removeItem(key); } catch (err) { /* ignore */ }
      });
    }
    window.addEventListener("beforeunload", function (e) {
      if (!submitting && changed()) {
        e.preventDefault();
        e.returnValue = "";
      }
    });

    document.execCommand("defaultParagraphSeparator", false, "p");
    area.hidden = true;
    area.parentNode.insertBefore(bar, area);
    area.parentNode.insertBefore(surface, area);
    area.parentNode.insertBefore(status, area);
    if (offer) area.parentNode.insertBefore(offer, bar);
  });
})();
