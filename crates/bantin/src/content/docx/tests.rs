use std::io::Write;

use super::*;

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture""#;

fn png() -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::new_rgb8(40, 30)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A .docx as Word writes one: styles with localised names, a numbering
/// part, a hyperlink, a table with a header row and merged cells, an image.
pub fn sample() -> Vec<u8> {
    let body = r#"
<w:p><w:pPr><w:pStyle w:val="u1"/></w:pPr><w:r><w:t>Báo cáo chuyển đổi số</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Xã đã </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>hoàn thành</w:t></w:r><w:r><w:t xml:space="preserve"> chỉ tiêu, </w:t></w:r><w:r><w:rPr><w:i/><w:b w:val="0"/></w:rPr><w:t>vượt</w:t></w:r><w:r><w:t xml:space="preserve"> và </w:t></w:r><w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t>đúng hạn</w:t></w:r><w:r><w:t xml:space="preserve">. Xem </w:t></w:r><w:hyperlink r:id="rId9"><w:r><w:t>Cổng Dịch vụ công</w:t></w:r></w:hyperlink><w:r><w:t>.</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="u2"/></w:pPr><w:r><w:t>Việc đã làm</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Cài đặt VNeID</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Tập huấn</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Tổ công nghệ số</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr><w:r><w:t>Bước một</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr><w:r><w:t>Bước hai</w:t></w:r></w:p>
<w:tbl>
 <w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:p><w:r><w:t>Thôn</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Chỉ tiêu</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Kết quả</w:t></w:r></w:p></w:tc></w:tr>
 <w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>Nàn Sín</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>VNeID</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>315</w:t></w:r></w:p></w:tc></w:tr>
 <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>Thanh toán số</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>120</w:t></w:r></w:p></w:tc></w:tr>
 <w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Tổng</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>435</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:p><w:r><w:drawing><wp:inline><wp:extent cx="1" cy="1"/><wp:docPr id="1" name="Picture 1" descr="Lớp tập huấn tại nhà văn hoá"/><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="rId7"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
<w:p><w:r><w:t>Lồ Sinh</w:t></w:r></w:p>
<w:sectPr/>"#;
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{body}</w:body></w:document>"#
    );
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {NS}>
<w:style w:type="paragraph" w:styleId="u1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="u2"><w:name w:val="heading 2"/></w:style></w:styles>"#
    );
    let numbering = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {NS}>
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#
    );
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>
<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://dichvucong.gov.vn/" TargetMode="External"/></Relationships>"#;
    zip_of(&[
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_vec()),
        ("word/document.xml", document.into_bytes()),
        ("word/styles.xml", styles.into_bytes()),
        ("word/numbering.xml", numbering.into_bytes()),
        ("word/_rels/document.xml.rels", rels.as_bytes().to_vec()),
        ("word/media/image1.png", png()),
    ])
}

pub fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn a_word_file_becomes_a_draft() {
    let c = convert("bao-cao.docx", &sample(), 20 << 20).unwrap();
    assert_eq!(c.title, "Báo cáo chuyển đổi số");
    let h = &c.html;
    assert!(h.starts_with("<p>Xã đã <strong>hoàn thành</strong> chỉ tiêu, <em>vượt</em> và <u>đúng hạn</u>. Xem <a href=\"https://dichvucong.gov.vn/\">Cổng Dịch vụ công</a>.</p>"), "{h}");
    // heading 2 is the only heading left: h2.
    assert!(h.contains("<h2>Việc đã làm</h2>"), "{h}");
    assert!(h.contains("<ul><li>Cài đặt VNeID</li><li>Tập huấn<ul><li>Tổ công nghệ số</li></ul></li></ul><ol><li>Bước một</li><li>Bước hai</li></ol>"), "{h}");
    assert!(h.contains(r#"<thead><tr><th scope="col">Thôn</th><th scope="col">Chỉ tiêu</th><th scope="col">Kết quả</th></tr></thead>"#), "{h}");
    assert!(h.contains(r#"<tr><td rowspan="2">Nàn Sín</td><td>VNeID</td><td>315</td></tr><tr><td>Thanh toán số</td><td>120</td></tr>"#), "{h}");
    assert!(
        h.contains(r#"<td colspan="2">Tổng</td><td>435</td>"#),
        "{h}"
    );
    assert!(
        h.contains(r#"<img src="/media/docx-1" alt="Lớp tập huấn tại nhà văn hoá">"#),
        "{h}"
    );
    assert_eq!(c.images.len(), 1);
    assert_eq!(c.images[0].alt, "Lớp tập huấn tại nhà văn hoá");
    assert!(c.images[0].bytes.starts_with(b"\x89PNG"));
}

#[test]
fn what_is_not_a_word_file_is_refused() {
    assert!(matches!(
        convert("x.docx", b"", 1 << 20),
        Err(Refusal::Empty)
    ));
    assert!(matches!(
        convert("x.docx", b"%PDF-1.4 not word", 1 << 20),
        Err(Refusal::NotDocx(_))
    ));
    assert!(matches!(
        convert("x.docx", &sample(), 100),
        Err(Refusal::TooLarge(_))
    ));
    // A zip cut in half.
    let whole = sample();
    assert!(matches!(
        convert("x.docx", &whole[..whole.len() / 2], 1 << 20),
        Err(Refusal::Damaged(_) | Refusal::NotDocx(_))
    ));
    // Broken XML inside a good zip.
    let broken = zip_of(&[
        ("[Content_Types].xml", b"<Types/>".to_vec()),
        ("word/document.xml", b"<w:document><w:body><w:p>".to_vec()),
    ]);
    assert!(
        matches!(
            convert("x.docx", &broken, 1 << 20),
            Err(Refusal::Damaged(_))
        ),
        "{:?}",
        convert("x.docx", &broken, 1 << 20).map(|c| c.html)
    );
    // A password-protected file is an OLE compound file holding the
    // encrypted package.
    let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cfb.create_stream("/EncryptionInfo")
        .unwrap()
        .write_all(b"x")
        .unwrap();
    cfb.create_stream("/EncryptedPackage")
        .unwrap()
        .write_all(b"x")
        .unwrap();
    cfb.flush().unwrap();
    let locked = cfb.into_inner().into_inner();
    assert!(matches!(
        convert("mat-khau.docx", &locked, 1 << 20),
        Err(Refusal::Encrypted(_))
    ));
    // An empty document.
    let blank = zip_of(&[
        ("[Content_Types].xml", b"<Types/>".to_vec()),
        (
            "word/document.xml",
            format!("<w:document {NS}><w:body><w:p/></w:body></w:document>").into_bytes(),
        ),
    ]);
    assert!(matches!(
        convert("trong.docx", &blank, 1 << 20),
        Err(Refusal::Blank(_))
    ));
}
