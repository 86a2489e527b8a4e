#!/usr/bin/env python3
"""A WordPress export (WXR 1.2) of N generated posts, like a commune's
site after years of news: Gutenberg paragraphs, a caption shortcode now
and then, categories, a few authors, pages, and (optionally) a featured
image for some posts with the uploads folder beside it.

Usage: gen_wxr.py POSTS IMAGES OUT_DIR  ->  OUT_DIR/export.xml, OUT_DIR/uploads/
"""
import os
import random
import struct
import sys
import zlib

posts, images, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(7)
WORDS = ("xã thôn bản ấp họp dân bàn việc làm đường giao thông nông thôn mới trạm y tế "
         "tiêm chủng trẻ em học sinh trường tiểu học mùa màng lúa ngô sắn chăn nuôi "
         "hội nông dân phụ nữ đoàn thanh niên cựu chiến binh ủy ban nhân dân hội đồng "
         "kế hoạch năm tháng tuần ngày họp tổ chức tuyên truyền phổ biến pháp luật "
         "an ninh trật tự phòng cháy chữa cháy bảo hiểm y tế xã hội người cao tuổi").split()
CATS = [("tin-xa", "Tin xã"), ("thong-bao", "Thông báo"), ("kinh-te", "Kinh tế"),
        ("van-hoa-xa-hoi", "Văn hóa - Xã hội"), ("an-ninh-quoc-phong", "An ninh - Quốc phòng"),
        ("y-te", "Y tế"), ("giao-duc", "Giáo dục"), ("nong-nghiep", "Nông nghiệp")]
AUTHORS = [("lan.nt", "Nguyễn Thị Lan"), ("minhtv", "Trần Văn Minh"), ("hoa.lt", "Lê Thị Hoa"),
           ("dung.pv", "Phạm Văn Dũng")]


def sentence(n):
    w = [random.choice(WORDS) for _ in range(n)]
    return " ".join(w).capitalize() + "."


def png(width, height, seed):
    """A small real PNG (gradient), so the image pipeline does real work."""
    rows = b"".join(b"\0" + bytes(v for x in range(width) for v in ((x + seed) % 256, (y + seed) % 256, 90))
                    for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


os.makedirs(os.path.join(out, "uploads", "2024", "05"), exist_ok=True)
base = "https://xa.example.vn"
with open(os.path.join(out, "export.xml"), "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
            f'<channel><title>Xã</title><link>{base}</link><wp:wxr_version>1.2</wp:wxr_version>'
            f'<wp:base_site_url>{base}</wp:base_site_url><wp:base_blog_url>{base}</wp:base_blog_url>\n')
    for i, (login, name) in enumerate(AUTHORS):
        f.write(f"<wp:author><wp:author_id>{i + 2}</wp:author_id><wp:author_login><![CDATA[{login}]]></wp:author_login>"
                f"<wp:author_display_name><![CDATA[{name}]]></wp:author_display_name></wp:author>\n")
    for i, (slug, name) in enumerate(CATS):
        f.write(f"<wp:category><wp:term_id>{i + 2}</wp:term_id><wp:category_nicename><![CDATA[{slug}]]></wp:category_nicename>"
                f"<wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[{name}]]></wp:cat_name></wp:category>\n")
    for n in range(posts):
        pid = 100 + n * 2
        year, month, day = 2015 + n * 11 // max(posts, 1), 1 + n % 12, 1 + n % 28
        title = sentence(random.randint(6, 12))[:-1] + f" ({n})"
        paras = "\n\n".join(f"<!-- wp:paragraph -->\n<p>{sentence(random.randint(20, 45))}</p>\n<!-- /wp:paragraph -->"
                            for _ in range(random.randint(3, 8)))
        if n % 10 == 0:
            paras += '\n\n[caption id="" align="aligncenter" width="300"]<strong>Ảnh:</strong> ' + sentence(6) + "[/caption]"
        cat, _ = random.choice(CATS)
        login, _ = random.choice(AUTHORS)
        status = "publish" if n % 50 else "draft"
        meta = ""
        if n < images:
            aid = pid + 1
            rel = f"2024/05/anh-{n}.png"
            with open(os.path.join(out, "uploads", rel), "wb") as img:
                img.write(png(800, 500, n))
            meta = f"<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[{aid}]]></wp:meta_value></wp:postmeta>"
            f.write(f"<item><title>anh-{n}</title><wp:post_id>{aid}</wp:post_id><wp:post_type><![CDATA[attachment]]></wp:post_type>"
                    f"<wp:status><![CDATA[inherit]]></wp:status><wp:attachment_url><![CDATA[{base}/wp-content/uploads/{rel}]]></wp:attachment_url></item>\n")
        slug = f"bai-{n}"
        f.write(f"<item><title><![CDATA[{title}]]></title><link>{base}/{year}/{month:02}/{slug}/</link>"
                f"<dc:creator><![CDATA[{login}]]></dc:creator><guid isPermaLink=\"false\">{base}/?p={pid}</guid>"
                f"<content:encoded><![CDATA[{paras}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>"
                f"<wp:post_id>{pid}</wp:post_id><wp:post_date><![CDATA[{year}-{month:02}-{day:02} 08:00:00]]></wp:post_date>"
                f"<wp:post_date_gmt><![CDATA[{year}-{month:02}-{day:02} 01:00:00]]></wp:post_date_gmt>"
                f"<wp:post_name><![CDATA[{slug}]]></wp:post_name><wp:status><![CDATA[{status}]]></wp:status>"
                f"<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order><wp:post_type><![CDATA[post]]></wp:post_type>"
                f"<category domain=\"category\" nicename=\"{cat}\"><![CDATA[x]]></category>{meta}</item>\n")
    f.write("</channel></rss>\n")
