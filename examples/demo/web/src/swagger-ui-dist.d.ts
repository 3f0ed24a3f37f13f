// swagger-ui-dist ships no types; the demo uses one call of its browser bundle.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const SwaggerUIBundle: (options: { url: string; domNode: HTMLElement; deepLinking?: boolean }) => unknown;
  export default SwaggerUIBundle;
}
