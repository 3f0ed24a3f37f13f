import { describe, expect, it } from "vitest";
import { reconnectDelay } from "./reconnectDelay.js";

describe("reconnectDelay", () => {
  it("doubles from the initial delay up to the ceiling", () => {
    const top = (attempt: number) => reconnectDelay(attempt, { initialMs: 100, maxMs: 1000 }, () => 1);
    expect([0, 1, 2, 3, 4, 10].map(top)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("keeps at least half of the delay and randomizes the other half", () => {
    expect(reconnectDelay(2, { initialMs: 100 }, () => 0)).toBe(200);
    expect(reconnectDelay(2, { initialMs: 100 }, () => 0.5)).toBe(300);
  });
});
