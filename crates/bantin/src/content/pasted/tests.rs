use super::*;

const WORD: &str = include_str!("../../../tests/fixtures/word-clipboard.html");

fn count(h: &str, needle: &str) -> usize {
    h.matches(needle).count()
}

#[test]
fn word_keeps_its_structure_and_loses_its_styles() {
    let c = clean(WORD);
    let h = &c.html;
    assert!(h.starts_with("<h2>Kết quả chuyển đổi số quý I</h2>"), "{h}");
    assert!(h.contains("đã <strong>hoàn thành</strong> các chỉ tiêu, <em>vượt kế hoạch</em> và <u>đúng tiến độ</u>."), "{h}");
    assert!(
        h.contains(r##"<a href="https://dichvucong.gov.vn/">Cổng Dịch vụ công</a>"##),
        "{h}"
    );
    // The three bullets are one list, the two numbered lines another.
    assert_eq!(count(h, "<ul>"), 1, "{h}");
    assert!(h.contains("<ul><li>Cài đặt ứng dụng VNeID cho người dân</li><li>Thanh toán không dùng tiền mặt</li><li>Tập huấn <strong>tổ công nghệ số</strong> cộng đồng</li></ul>"), "{h}");
    assert!(
        h.contains("<ol><li>Rà soát dữ liệu dân cư</li><li>Báo cáo kết quả về huyện</li></ol>"),
        "{h}"
    );
    // The table: a header row, three rows, the merged cell.
    assert_eq!(count(h, "<tr>"), 3, "{h}");
    assert!(
        h.contains(r##"<thead><tr><th scope="col">STT</th><th scope="col">Chỉ tiêu</th>"##),
        "{h}"
    );
    assert!(
        h.contains(r##"<td colspan="2">Tổng cộng</td><td>1.200</td><td>1.315</td>"##),
        "{h}"
    );
    // The image could not come: a visible note, and its name reported.
    assert!(
        h.contains("[Ảnh chưa được chèn: “clip_image002.jpg”"),
        "{h}"
    );
    assert_eq!(c.missing_images, vec!["clip_image002.jpg".to_owned()]);
    assert!(
        h.contains("<p><strong><em>Lồ Sinh</em></strong></p>"),
        "{h}"
    );
    for gone in [
        "mso-",
        "MsoNormal",
        "o:p",
        "style",
        "class",
        "font-family",
        "[if",
        "Symbol",
        "·",
        "@list",
        "xml",
    ] {
        assert!(!h.contains(gone), "{gone} left in {h}");
    }
    // Empty Word paragraphs leave nothing.
    assert!(!h.contains("<p></p>") && !h.contains("<p> </p>"), "{h}");
}

#[test]
fn libreoffice() {
    let html = r##"<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN">
<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"/><title></title>
<meta name="generator" content="LibreOffice 7.4.7.2 (Linux)"/><style type="text/css">@page { size: 21cm 29.7cm; margin: 2cm } p { line-height: 115%; margin-bottom: 0.25cm; background: transparent }</style></head>
<body lang="vi-VN" link="#000080" vlink="#800000" dir="ltr"><h2 class="western">Kế hoạch tháng 12</h2>
<p style="line-height: 100%; margin-bottom: 0cm"><font face="Times New Roman, serif"><font size="4" style="font-size: 14pt"><strong>Đậm</strong> và <em>nghiêng</em>, <u>gạch chân</u>.</font></font></p>
<ol><li><p style="margin-bottom: 0cm">Họp thôn</p></li><li><p style="margin-bottom: 0cm">Tổng vệ sinh</p>
<ul><li><p>Đường liên thôn</p></li></ul></li></ol>
<table width="100%" cellpadding="4" cellspacing="0"><col width="128*"/><col width="128*"/>
<thead><tr valign="top"><th width="50%" style="border: 1px solid #000000"><p>Thôn</p></th><th width="50%"><p>Số hộ</p></th></tr></thead>
<tbody><tr valign="top"><td rowspan="2"><p>Nàn Sín</p></td><td><p>120</p></td></tr><tr><td><p>85</p></td></tr></tbody></table>
</body></html>"##;
    let h = clean(html).html;
    assert!(h.starts_with("<h2>Kế hoạch tháng 12</h2>"), "{h}");
    assert!(
        h.contains("<p><strong>Đậm</strong> và <em>nghiêng</em>, <u>gạch chân</u>.</p>"),
        "{h}"
    );
    assert!(
        h.contains(
            "<ol><li>Họp thôn</li><li>Tổng vệ sinh<ul><li>Đường liên thôn</li></ul></li></ol>"
        ),
        "{h}"
    );
    assert!(
        h.contains(
            r##"<thead><tr><th scope="col">Thôn</th><th scope="col">Số hộ</th></tr></thead>"##
        ),
        "{h}"
    );
    assert!(h.contains(r##"<td rowspan="2">Nàn Sín</td>"##), "{h}");
    assert!(
        !h.contains("font") && !h.contains("@page") && !h.contains("western"),
        "{h}"
    );
}

#[test]
fn google_docs() {
    // Google Docs wraps everything in a <strong> that is not bold, and says
    // bold with a weight.
    let html = r##"<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-5f1c2a3b-7fff-1a2b-3c4d-5e6f7a8b9c0d"><h2 dir="ltr" style="line-height:1.38;margin-top:18pt;margin-bottom:6pt;"><span style="font-size:16pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;">Thông báo</span></h2><p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;"><span style="font-size:11pt;font-family:Arial,sans-serif;font-weight:400;">Lịch tiêm </span><span style="font-size:11pt;font-family:Arial,sans-serif;font-weight:700;">ngày 25</span><span style="font-size:11pt;font-weight:400;font-style:italic;"> hằng tháng</span><span style="font-size:11pt;font-weight:400;text-decoration:underline;-webkit-text-decoration-skip:none;"> tại trạm</span></p><ul style="margin-top:0;margin-bottom:0;padding-inline-start:48px;"><li dir="ltr" style="list-style-type:disc;font-size:11pt;" aria-level="1"><p dir="ltr" style="line-height:1.38;" role="presentation"><span style="font-size:11pt;font-weight:400;">Trẻ dưới 1 tuổi</span></p></li><li dir="ltr" style="list-style-type:disc;" aria-level="1"><p dir="ltr" role="presentation"><span style="font-weight:400;">Phụ nữ mang thai</span></p></li></ul><br /><div dir="ltr" style="margin-left:0pt;" align="left"><table style="border:none;border-collapse:collapse;"><colgroup><col width="200" /><col width="200" /></colgroup><tbody><tr style="height:0pt"><td style="border-left:solid #000000 1pt;"><p dir="ltr"><span style="font-weight:700;">Thôn</span></p></td><td><p dir="ltr"><span style="font-weight:700;">Ngày</span></p></td></tr><tr><td><p dir="ltr"><span style="font-weight:400;">Sín Chéng</span></p></td><td><p dir="ltr"><span style="font-weight:400;">25/12/2026</span></p></td></tr></tbody></table></div><img src="https://lh7-rt.googleusercontent.com/docsz/AD_4nXabc" width="300" height="200"></strong>"##;
    let c = clean(html);
    let h = &c.html;
    assert!(h.starts_with("<h2>Thông báo</h2>"), "{h}");
    assert!(
        h.contains("<p>Lịch tiêm <strong>ngày 25</strong><em> hằng tháng</em><u> tại trạm</u></p>")
            || h.contains(
                "<p>Lịch tiêm <strong>ngày 25</strong> <em>hằng tháng</em> <u>tại trạm</u></p>"
            ),
        "{h}"
    );
    assert!(
        h.contains("<ul><li>Trẻ dưới 1 tuổi</li><li>Phụ nữ mang thai</li></ul>"),
        "{h}"
    );
    assert!(h.contains(r##"<thead><tr><th scope="col">Thôn</th><th scope="col">Ngày</th></tr></thead><tbody><tr><td>Sín Chéng</td><td>25/12/2026</td></tr></tbody>"##), "{h}");
    // Another site's image is not fetched: a note.
    assert_eq!(c.missing_images.len(), 1);
    assert!(!h.contains("googleusercontent"), "{h}");
}

#[test]
fn a_web_page() {
    let html = r##"<div class="post"><h3 style="color:red">Tiêu đề nhỏ</h3><p>Đoạn <strong>một</strong> <a href="javascript:alert(1)" onclick="x()">xấu</a> <a href="/tin-tuc/bai-khac">tốt</a>.</p><blockquote><p>Trích dẫn một</p><p>Trích dẫn hai</p></blockquote><script>alert(1)</script><p>Ảnh: <img src="/media/abc123.jpg" alt="Cầu treo"></p></div>"##;
    let h = clean(html).html;
    assert!(
        h.starts_with("<h2>Tiêu đề nhỏ</h2>"),
        "the only heading level becomes h2: {h}"
    );
    assert!(
        h.contains("<blockquote><p>Trích dẫn một</p>\n<p>Trích dẫn hai</p>\n</blockquote>"),
        "{h}"
    );
    assert!(
        !h.contains("alert(1)</script>") && !h.contains("onclick"),
        "{h}"
    );
    assert!(
        h.contains(r##"<img src="/media/abc123.jpg" alt="Cầu treo">"##),
        "the site's own image stays: {h}"
    );
    // What the sanitiser then keeps.
    let stored = crate::content::sanitize::body(html, None);
    assert!(!stored.contains("javascript:"), "{stored}");
    assert!(
        stored.contains(r##"<a href="/tin-tuc/bai-khac" rel="noopener noreferrer">tốt</a>"##),
        "{stored}"
    );
}

#[test]
fn heading_levels_are_relative() {
    let h = clean("<h3>Một</h3><p>a</p><h4>Hai</h4><h5>Ba</h5>").html;
    assert_eq!(h, "<h2>Một</h2>\n<p>a</p>\n<h3>Hai</h3>\n<h3>Ba</h3>\n");
}

#[test]
fn stored_bodies_are_not_foreign() {
    assert!(!is_foreign(
        "<p>Đoạn <strong>đậm</strong></p><ul><li>một</li></ul><table><tr><td>1</td></tr></table>"
    ));
    assert!(is_foreign(WORD));
    assert!(is_foreign(r##"<p style="x">a</p>"##));
}

#[test]
fn nested_word_levels() {
    let item = |level: u8, text: &str| {
        format!(
            "<p class=MsoListParagraph style='mso-list:l0 level{level} lfo1'><![if !supportLists]><span style='mso-list:Ignore'>o<span>&nbsp;</span></span><![endif]>{text}</p>"
        )
    };
    let html = [
        item(1, "Một"),
        item(2, "Một a"),
        item(2, "Một b"),
        item(1, "Hai"),
    ]
    .concat();
    let h = clean(&html).html;
    assert_eq!(
        h,
        "<ul><li>Một<ul><li>Một a</li><li>Một b</li></ul></li><li>Hai</li></ul>"
    );
}

#[test]
fn odd_input_does_not_break_it() {
    for html in [
        "",
        "<",
        "<p",
        "</p></p></table>",
        "<table><td>a",
        "<ul><li>a<li>b",
        "<![if !supportLists]>x",
        "<span style='mso-list:Ignore'>",
        "<style>p{}",
    ] {
        let _ = clean(html);
    }
    assert_eq!(
        clean("<table><td>a<td>b</table>").html,
        "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>\n"
    );
    assert_eq!(
        clean("<ul><li>a<li>b</ul>").html,
        "<ul><li>a</li><li>b</li></ul>"
    );
}

#[test]
fn the_editors_own_figures_stay_figures() {
    // Chromium sometimes leaves a styled span in an edited body, which makes
    // the whole body go through the cleaner: what the editor made survives.
    let html = r#"<p>Trước <span style="color: rgb(0, 0, 0);">ảnh</span>.</p><figure><img src="/media/0123456789abcdef0123456789abcdef.jpg" alt="Cầu treo"><figcaption>Cầu treo <em>mới</em></figcaption></figure><p>Sau.</p>"#;
    let h = clean(html).html;
    assert_eq!(
        h,
        "<p>Trước ảnh.</p>\n<figure><img src=\"/media/0123456789abcdef0123456789abcdef.jpg\" alt=\"Cầu treo\"><figcaption>Cầu treo <em>mới</em></figcaption></figure>\n<p>Sau.</p>\n"
    );
}
