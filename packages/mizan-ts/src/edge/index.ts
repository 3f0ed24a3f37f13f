export { createEdgeHandler, MIZAN_EDGE_HEADER, type EdgeContext, type EdgeOptions } from "./createEdgeHandler.js";
