import { describe, expect, it } from "vitest";
import type { FunctionTable } from "./functionTable.js";
import { RevisionMap } from "./revisionMap.js";

const table: FunctionTable = {
  greet: {
    kind: "query",
    context: null,
    cache: { scope: "public", ttlSeconds: 60, tags: ["greet", "greetings"] },
    invalidates: [],
  },
  whoami: { kind: "query", context: null, cache: { scope: "user", ttlSeconds: 30, tags: ["whoami"] }, invalidates: [] },
};

describe("RevisionMap", () => {
  it("knows nothing at first, then what responses said, never going back", () => {
    const map = new RevisionMap(table);
    expect(map.get("greet")).toBeUndefined();
    map.observe("greet", 3);
    map.observe("greet", 2);
    expect(map.get("greet")).toBe(3);
  });

  it("sums tag revisions and tells listeners which functions went stale", () => {
    const map = new RevisionMap(table);
    const heard: string[][] = [];
    map.subscribe((fns) => heard.push([...fns]));
    map.observe("greet", 0);
    expect(map.apply({ greet: 0, greetings: 1 })).toEqual(new Set(["greet"]));
    expect(map.get("greet")).toBe(1);
    expect(map.apply({ greetings: 1 })).toEqual(new Set()); // nothing new
    map.apply({ whoami: 4 });
    expect(heard).toEqual([["greet"], ["whoami"]]);
  });

  it("forgets a function's revision when only part of its tags is known", () => {
    const map = new RevisionMap(table);
    map.observe("greet", 5);
    expect(map.apply({ greetings: 2 })).toEqual(new Set(["greet"]));
    expect(map.get("greet")).toBeUndefined();
  });

  it("tells listeners when a response reveals a newer revision", () => {
    const map = new RevisionMap(table);
    const heard: string[][] = [];
    map.subscribe((fns) => heard.push([...fns]));
    map.observe("whoami", 1);
    map.observe("whoami", 1);
    map.observe("whoami", 2);
    expect(heard).toEqual([["whoami"]]);
  });

  it("ignores revisions that are not non-negative integers", () => {
    const map = new RevisionMap(table);
    map.observe("whoami", -1);
    map.observe("whoami", 1.5);
    map.apply({ whoami: Number.NaN });
    expect(map.get("whoami")).toBeUndefined();
  });
});
