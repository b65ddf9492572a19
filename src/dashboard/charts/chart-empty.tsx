/** What a chart shows with nothing to draw: a sentence, not an empty frame. */
export function ChartEmpty({ text }: { readonly text: string }): JSX.Element {
  return (
    <p class="chart-empty muted" safe>
      {text}
    </p>
  );
}
