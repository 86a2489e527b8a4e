#!/usr/bin/env python3
"""Writes N captured-page text files (the format `bantin import-text` reads):
a title, paragraphs of commune news in Vietnamese, a byline, then the page
chrome. Deterministic for a given N, so runs compare.
Usage: bench/gen_corpus.py N DIR"""
import os
import random
import sys

WORDS = (
    "xã thôn bản huyện tỉnh ủy ban nhân dân hội đồng mặt trận tổ quốc đoàn thanh niên "
    "phụ nữ nông dân cựu chiến binh đảng viên chi bộ đảng ủy hội nghị triển khai kế hoạch "
    "năm nay đồng bào dân tộc Mông Dao Thái Hà Nhì Giáy bà con nhân dân cán bộ công chức "
    "trường học học sinh giáo viên trạm y tế tiêm chủng bảo hiểm y tế nước sạch điện lưới "
    "đường giao thông nông thôn mới chương trình mục tiêu quốc gia giảm nghèo bền vững "
    "trồng rừng chè thảo quả lúa nương ngô sắn chăn nuôi trâu bò lợn gà phòng chống dịch "
    "bệnh thiên tai mưa lũ sạt lở đất an ninh trật tự quốc phòng tuyển quân lễ hội văn hoá "
    "thể thao kéo co ném còn đẩy gậy tuyên truyền phổ biến pháp luật cải cách hành chính "
    "một cửa dịch vụ công trực tuyến chuyển đổi số hộ nghèo cận nghèo hỗ trợ nhà ở"
).split()
PLACES = ["Nậm Xe", "Sín Chéng", "Bản Khoang", "Tả Phìn", "Phìn Ngan", "Lao Chải", "Séo Mý Tỷ", "Y Tý"]
NAMES = ["Lồ Sinh", "Giàng A Pháo", "Vàng Thị Mỷ", "Lý Seo Chứ", "Hoàng Văn Tư", "Sùng Thị Sa"]


def sentence(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def page(i, rng):
    place = rng.choice(PLACES)
    title = f"{sentence(rng, rng.randint(6, 10))[:-1]} tại xã {place} (số {i})"
    paragraphs = [
        " ".join(sentence(rng, rng.randint(10, 22)) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(3, 6))
    ]
    return "\n".join(
        [title, ""]
        + [p + "\n" for p in paragraphs]
        + [f"  {rng.choice(NAMES)}.", "", "", "Tin tức", "Đăng nhập", "Thống kê truy cập"]
    ) + "\n"


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261130)
    for i in range(n):
        with open(os.path.join(out, f"tin-{i:05d}.txt"), "w", encoding="utf-8") as f:
            f.write(page(i, rng))


if __name__ == "__main__":
    main()
