// bantin editor toolbar: a progressive enhancement. Without JavaScript the
// body is a plain textarea and everything still works.
(function () {
  "use strict";
  var area = document.querySelector("textarea[data-editor]");
  if (!area) return;
  var buttons = [
    ["Đậm", "<b>", "</b>"],
    ["Nghiêng", "<i>", "</i>"],
    ["Tiêu đề mục", "<h2>", "</h2>"],
    ["Danh sách", "<ul>\n<li>", "</li>\n</ul>"],
    ["Trích dẫn", "<blockquote>", "</blockquote>"],
    ["Liên kết", "<a href=\"https://\">", "</a>"]
  ];
  var bar = document.createElement("div");
  bar.className = "toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Định dạng nội dung");
  buttons.forEach(function (b) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = b[0];
    button.addEventListener("click", function () {
      var start = area.selectionStart, end = area.selectionEnd, text = area.value;
      area.value = text.slice(0, start) + b[1] + text.slice(start, end) + b[2] + text.slice(end);
      area.focus();
      area.selectionStart = start + b[1].length;
      area.selectionEnd = end + b[1].length;
    });
    bar.appendChild(button);
  });
  area.parentNode.insertBefore(bar, area);
})();
