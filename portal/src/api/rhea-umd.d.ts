// rhea's browser build (a UMD bundle with its own Buffer and events): the same API as the package's typings.
declare module 'rhea/dist/rhea-umd.js' {
  const container: import('rhea').Container;
  export default container;
}
