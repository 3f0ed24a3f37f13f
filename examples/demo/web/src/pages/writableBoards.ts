import type { Board } from "../mizan/client";
import { mizan } from "../mizan/react";
import { useViewer } from "../components";

/** The boards the viewer may post on: the public ones, and the team's for members. */
export function useWritableBoards(): Board[] {
  const viewer = useViewer();
  const open = mizan.listPublicBoards.useQuery(null);
  const members = mizan.memberBoards.useQuery(null, { enabled: viewer?.perms.includes("boards.members") === true });
  return [...(open.data ?? []), ...(members.data ?? [])];
}
