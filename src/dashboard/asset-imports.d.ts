// The dashboard's stylesheet and script are imported `with { type: "text" }`: Bun gives
// their contents as a string, and embeds them in the compiled binary.
// (Not named assets.d.ts: tsc skips a .d.ts that sits beside a .ts of the same name.)
declare module "*.css" {
  const text: string;
  export default text;
}
declare module "*/assets/app.js" {
  const text: string;
  export default text;
}
