/**
 * Orders strings by their UTF-8 bytes, which is code point order. JavaScript's default
 * comparison uses UTF-16 code units and disagrees above the BMP: it puts "😀"
 * (U+1F600, code units D83D DE00) before "｡" (U+FF61), UTF-8 puts it after.
 */
export function compareUtf8(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return (a.length - i > 0 ? 1 : 0) - (b.length - j > 0 ? 1 : 0);
}
