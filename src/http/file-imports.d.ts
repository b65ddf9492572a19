// Files imported `with { type: "file" }` resolve to a path Bun.file can open, also
// inside a compiled binary, where the file is embedded.
declare module "swagger-ui-dist/swagger-ui.css" {
  const path: string;
  export default path;
}
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const path: string;
  export default path;
}
