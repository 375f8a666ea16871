// Assembly sources are bundled as text.
declare module '*.S' {
  const text: string;
  export default text;
}
