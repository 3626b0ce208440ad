#!/usr/bin/env bash
# Regenerates assets/fonts/NotoSansSC-Bold-GB2312.otf, the one font the poster function ships: Noto Sans
# CJK SC Bold (SIL Open Font License 1.1) cut down to GB2312's 6,763 hanzi, ASCII and Chinese punctuation,
# so that Chinese text renders inside a Lambda (no system fonts there) in ~1.5 MB instead of ~20 MB.
# Needs Debian's fonts-noto-cjk and python3-fonttools; the output is committed, so nothing else runs this.
# The function reads the glyph file made from it, not the OTF: run `npm run poster-glyphs` afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
chars=$(mktemp)
node -e '
const gbk = new TextDecoder("gbk");
let s = "";
for (let a = 0xa1; a <= 0xf7; a++)
  for (let b = 0xa1; b <= 0xfe; b++) {
    if (a >= 0xaa && a <= 0xaf) continue; // unassigned rows
    const c = gbk.decode(new Uint8Array([a, b]));
    if (c !== "\uFFFD" && c.length === 1) s += c;
  }
for (let i = 0x20; i < 0x7f; i++) s += String.fromCharCode(i);
s += "¥￥·—…“”‘’、。，：；！？（）【】《》〈〉「」『』〔〕％＋－＝～";
process.stdout.write(s);' > "$chars"
# Face 2 of the collection is the Simplified Chinese one (JP, KR, SC, TC, HK).
/usr/bin/python3 -m fontTools.subset /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc --font-number=2 \
  --text-file="$chars" --output-file=assets/fonts/NotoSansSC-Bold-GB2312.otf --layout-features='' --no-hinting
rm -f "$chars"
ls -l assets/fonts/NotoSansSC-Bold-GB2312.otf
