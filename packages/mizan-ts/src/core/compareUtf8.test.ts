import { describe, expect, it } from "vitest";
import { compareUtf8 } from "./compareUtf8.js";

const utf8 = new TextEncoder();

function byteOrder(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return Math.sign(x.length - y.length);
}

describe("compareUtf8", () => {
  it("puts a high-BMP character before an astral one, unlike the default sort", () => {
    const perms = ["\ud83d\ude00", "\uff61"];
    expect([...perms].sort()).toEqual(["\ud83d\ude00", "\uff61"]);
    expect([...perms].sort(compareUtf8)).toEqual(["\uff61", "\ud83d\ude00"]);
  });

  it("orders prefixes first and equal strings as equal", () => {
    expect(compareUtf8("ab", "abc")).toBe(-1);
    expect(compareUtf8("abc", "ab")).toBe(1);
    expect(compareUtf8("a😀", "a😀")).toBe(0);
    expect(compareUtf8("", "")).toBe(0);
  });

  it("agrees with comparing the encoded bytes", () => {
    const samples = [
      "",
      "a",
      "B",
      "é",
      "\u07ff",
      "\u0800",
      "\uffff",
      "\ue000",
      "\uff61",
      "😀",
      "𐀀",
      "a😀b",
      "a\uff61",
      "posts.read",
    ];
    for (const a of samples) {
      for (const b of samples) expect([a, b, compareUtf8(a, b)]).toEqual([a, b, byteOrder(a, b)]);
    }
  });
});
